import { DescribeStacksCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** A step that failed, with what to do about it. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

/** What the deployed stacks tell a client: the values Amazon Quick and the smoke test need. */
export interface Deployment {
  readonly authStack: string;
  readonly runtimeStack: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly discoveryUrl: string;
  readonly clientSecretArn: string;
  readonly runtimeArn: string;
  /** For Amazon Quick. */
  readonly mcpEndpoint: string;
  /** With `?qualifier=DEFAULT`, for direct calls. */
  readonly mcpEndpointWithQualifier: string;
  /** Present when the deployment has user authentication (`userAuth=true`). */
  readonly userAuth?: UserAuthDeployment;
}

/** The Auth stack outputs of user authentication. */
export interface UserAuthDeployment {
  readonly clientId: string;
  readonly clientSecretArn: string;
  readonly authorizationUrl: string;
  /** The redirect URLs registered as callback URLs (the ones the Quick console shows). */
  readonly redirectUrls: readonly string[];
}

/** The client credentials stored in Secrets Manager by the Auth stack. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenUrl: string;
  readonly scope: string | undefined;
}

function awsName(err: unknown): string {
  return (err as { name?: string })?.name ?? 'Error';
}

function awsMessage(err: unknown): string {
  return String((err as { message?: string })?.message ?? err).slice(0, 300);
}

/** Fixes for failures any AWS read can hit: no credentials, expired ones, no network. */
function commonAwsFix(err: unknown, action: string): string | undefined {
  const name = awsName(err);
  const message = awsMessage(err);
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(message))
    return 'No AWS credentials found: run `aws configure`, `aws sso login`, or set AWS_PROFILE for the deployment account.';
  if (/ExpiredToken|RequestExpired|TokenRefreshRequired/.test(name) || /expired/i.test(message))
    return 'Your AWS credentials have expired: refresh them (`aws sso login`, new session) and run again.';
  if (/AccessDenied|UnauthorizedOperation/.test(name) || /not authorized/i.test(message))
    return `Your AWS identity may not call ${action}; use a role or user in the deployment account that can.`;
  if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|getaddrinfo/.test(`${name} ${message}`))
    return 'Cannot reach AWS from this machine: check the network, proxy (HTTPS_PROXY) and the region name.';
  return undefined;
}

async function describeStack(cfn: CloudFormationClient, name: string, region: string): Promise<Stack> {
  let stack: Stack | undefined;
  try {
    stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (err) {
    if (/does not exist/i.test(awsMessage(err))) {
      throw new StepFailure(
        `Stack ${name} does not exist in ${region}.`,
        `Deploy it (\`npx cdk deploy --all\`), or pass the --stack-prefix and --region it was deployed with.`,
      );
    }
    throw new StepFailure(
      `Could not read stack ${name}: ${awsName(err)}: ${awsMessage(err)}`,
      commonAwsFix(err, 'cloudformation:DescribeStacks') ?? 'Check the region and your AWS credentials.',
    );
  }
  if (!stack)
    throw new StepFailure(`Stack ${name} was not returned by CloudFormation.`, 'Check the stack name.');
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!/_COMPLETE$/.test(status) || /ROLLBACK_COMPLETE$|DELETE_COMPLETE$/.test(status)) {
    throw new StepFailure(
      `Stack ${name} is ${status}.`,
      /IN_PROGRESS$/.test(status)
        ? 'Wait for the deployment to finish, then run again.'
        : 'The last deployment failed: read the stack events in the CloudFormation console, fix the cause and redeploy.',
    );
  }
  return stack;
}

function outputsOf(stack: Stack): Map<string, string> {
  return new Map((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
}

function required(outputs: Map<string, string>, key: string, stack: string): string {
  const value = outputs.get(key);
  if (!value)
    throw new StepFailure(
      `Stack ${stack} has no ${key} output.`,
      'The stack was deployed by an older version of this project: redeploy it (`npx cdk deploy --all`).',
    );
  return value;
}

/** Reads the outputs of `<prefix>-Auth` and `<prefix>-Runtime`. */
export async function readDeployment(
  cfn: CloudFormationClient,
  stackPrefix: string,
  region: string,
): Promise<Deployment> {
  const authStack = `${stackPrefix}-Auth`;
  const runtimeStack = `${stackPrefix}-Runtime`;
  const [auth, runtime] = await Promise.all([
    describeStack(cfn, authStack, region),
    describeStack(cfn, runtimeStack, region),
  ]);
  const a = outputsOf(auth);
  const r = outputsOf(runtime);
  const userAuth: UserAuthDeployment | undefined = a.has('UserClientId')
    ? {
        clientId: required(a, 'UserClientId', authStack),
        clientSecretArn: required(a, 'UserClientSecretArn', authStack),
        authorizationUrl: required(a, 'AuthorizationUrl', authStack),
        redirectUrls: required(a, 'QuickRedirectUrls', authStack).split(','),
      }
    : undefined;
  return {
    ...(userAuth ? { userAuth } : {}),
    authStack,
    runtimeStack,
    tokenUrl: required(a, 'TokenUrl', authStack),
    clientId: required(a, 'ClientId', authStack),
    discoveryUrl: required(a, 'DiscoveryUrl', authStack),
    clientSecretArn: required(a, 'ClientSecretArn', authStack),
    runtimeArn: required(r, 'RuntimeArn', runtimeStack),
    mcpEndpoint: required(r, 'McpEndpoint', runtimeStack),
    mcpEndpointWithQualifier: required(r, 'McpEndpointWithQualifier', runtimeStack),
  };
}

/** Reads the client credentials JSON (client_id, client_secret, token_url, scope) the Auth stack stores. */
export async function readClientCredentials(
  secrets: SecretsManagerClient,
  secretArn: string,
): Promise<ClientCredentials> {
  let text: string | undefined;
  try {
    text = (await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (err) {
    if (awsName(err) === 'ResourceNotFoundException')
      throw new StepFailure(
        `Secret ${secretArn} does not exist.`,
        'Redeploy the Auth stack (`npx cdk deploy --all`).',
      );
    throw new StepFailure(
      `Could not read secret ${secretArn}: ${awsName(err)}: ${awsMessage(err)}`,
      commonAwsFix(err, `secretsmanager:GetSecretValue on ${secretArn}`) ??
        'Check your AWS credentials and the region.',
    );
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text ?? '') as Record<string, unknown>;
  } catch {
    throw new StepFailure(
      `Secret ${secretArn} is not the JSON the Auth stack writes.`,
      'Redeploy the Auth stack, or restore the secret to {"client_id", "client_secret", "token_url", "scope"}.',
    );
  }
  const { client_id, client_secret, token_url, scope } = parsed;
  if (typeof client_id !== 'string' || typeof client_secret !== 'string' || typeof token_url !== 'string') {
    throw new StepFailure(
      `Secret ${secretArn} lacks client_id, client_secret or token_url.`,
      'Redeploy the Auth stack so that it writes the client credentials again.',
    );
  }
  return {
    clientId: client_id,
    clientSecret: client_secret,
    tokenUrl: token_url,
    scope: typeof scope === 'string' && scope ? scope : undefined,
  };
}

/** `abcd…wxyz (40 characters)`: enough to recognise a secret, not to use it. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return `${'*'.repeat(secret.length)} (${secret.length} characters)`;
  return `${secret.slice(0, 4)}…${secret.slice(-4)} (${secret.length} characters; --show-secret prints it)`;
}
