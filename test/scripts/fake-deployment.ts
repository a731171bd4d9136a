import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsError, BASE_ACCESS_KEY, BASE_SECRET_KEY, type FakeAws } from '../fake-aws/fake-aws';

/** A deployed system as CloudFormation and Secrets Manager describe it, served by the fake AWS endpoint. */
export interface FakeDeployment {
  readonly stackPrefix: string;
  readonly runtimeArn: string;
  /** McpEndpoint (Amazon Quick); McpEndpointWithQualifier adds `?qualifier=DEFAULT`. */
  readonly mcpEndpoint: string;
  readonly tokenUrl: string;
  readonly discoveryUrl: string;
  readonly clientId: string;
  /** The secret's JSON fields (client_id, client_secret, token_url, scope). */
  readonly secret: Record<string, string>;
  readonly authStatus?: string;
  /** User authentication outputs and the user client's secret JSON, when the deployment has them. */
  readonly userAuth?: {
    readonly clientId: string;
    readonly authorizationUrl: string;
    readonly redirectUrls: readonly string[];
    readonly secret: Record<string, string>;
  };
}

export const USER_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:111111111111:secret:QuickUserClientSecret-GhIjKl';

export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:QuickClientSecret-AbCdEf';

/** Answers DescribeStacks for `<prefix>-Auth` / `<prefix>-Runtime` and GetSecretValue for the client secret. */
export function installDeployment(fake: FakeAws, d: FakeDeployment): void {
  const stacks: Record<string, { status: string; outputs: Record<string, string> }> = {
    [`${d.stackPrefix}-Auth`]: {
      status: d.authStatus ?? 'CREATE_COMPLETE',
      outputs: {
        TokenUrl: d.tokenUrl,
        ClientId: d.clientId,
        DiscoveryUrl: d.discoveryUrl,
        ClientSecretArn: SECRET_ARN,
        GetSecretCommand: `aws secretsmanager get-secret-value --secret-id ${SECRET_ARN}`,
        ...(d.userAuth
          ? {
              UserClientId: d.userAuth.clientId,
              UserClientSecretArn: USER_SECRET_ARN,
              AuthorizationUrl: d.userAuth.authorizationUrl,
              QuickRedirectUrls: d.userAuth.redirectUrls.join(','),
            }
          : {}),
      },
    },
    [`${d.stackPrefix}-Runtime`]: {
      status: 'UPDATE_COMPLETE',
      outputs: {
        RuntimeArn: d.runtimeArn,
        McpEndpoint: d.mcpEndpoint,
        McpEndpointWithQualifier: `${d.mcpEndpoint}?qualifier=DEFAULT`,
      },
    },
  };
  fake.on('cloudformation:DescribeStacks', (body) => {
    const name = String(body.StackName);
    const stack = stacks[name];
    if (!stack) return awsError('ValidationError', `Stack with id ${name} does not exist`);
    return {
      Stacks: [
        {
          StackName: name,
          StackId: `arn:aws:cloudformation:us-east-1:111111111111:stack/${name}/0000`,
          CreationTime: '2026-11-20T10:00:00.000Z',
          StackStatus: stack.status,
          Outputs: Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({
            OutputKey,
            OutputValue,
          })),
        },
      ],
    };
  });
  fake.on('secretsmanager:GetSecretValue', (body) =>
    body.SecretId === SECRET_ARN
      ? { ARN: SECRET_ARN, Name: 'QuickClientSecret', SecretString: JSON.stringify(d.secret) }
      : body.SecretId === USER_SECRET_ARN && d.userAuth
        ? {
            ARN: USER_SECRET_ARN,
            Name: 'QuickUserClientSecret',
            SecretString: JSON.stringify(d.userAuth.secret),
          }
        : awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."),
  );
}

/** The SDK clients the scripts use, pointed at the fake endpoint. */
export function fakeAwsClients(fake: FakeAws) {
  const config = {
    region: 'us-east-1',
    endpoint: fake.url,
    credentials: { accessKeyId: BASE_ACCESS_KEY, secretAccessKey: BASE_SECRET_KEY },
  };
  return {
    cloudFormation: new CloudFormationClient(config),
    secretsManager: new SecretsManagerClient(config),
  };
}
