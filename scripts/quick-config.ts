import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { runMain, startCli } from './lib/args';
import {
  maskSecret,
  readClientCredentials,
  readDeployment,
  StepFailure,
  type ClientCredentials,
  type Deployment,
  type UserAuthDeployment,
} from './lib/deployment';
import { CHAT_AGENT_PERSONA } from './lib/persona';

/**
 * `npm run quick-config [-- --show-secret]`: prints the four values the Amazon Quick MCP connector asks for, read
 * from the deployed stacks and Secrets Manager, the console steps, and the recommended chat-agent persona.
 */

/** The connector fields and the steps, as printed (the secret masked unless `showSecret`). */
export function renderQuickConfig(
  deployment: Deployment,
  credentials: ClientCredentials,
  options: { showSecret: boolean },
  userCredentials?: ClientCredentials,
): string {
  const secret = options.showSecret ? credentials.clientSecret : maskSecret(credentials.clientSecret);
  return `${renderServiceFields(deployment, credentials, secret, options)}${
    deployment.userAuth && userCredentials
      ? renderUserFields(deployment, deployment.userAuth, userCredentials, options)
      : ''
  }${renderSteps()}`;
}

function renderServiceFields(
  deployment: Deployment,
  credentials: ClientCredentials,
  secret: string,
  options: { showSecret: boolean },
): string {
  return `Amazon Quick — MCP connector fields
  MCP server endpoint  ${deployment.mcpEndpoint}
  Authentication       Service authentication (service-to-service OAuth, client credentials)
  Client ID            ${credentials.clientId}
  Client secret        ${secret}
  Token URL            ${credentials.tokenUrl}
${options.showSecret ? '' : `  (the full secret: npm run quick-config -- --show-secret, or the ${deployment.authStack} GetSecretCommand output)\n`}`;
}

function renderUserFields(
  deployment: Deployment,
  user: UserAuthDeployment,
  credentials: ClientCredentials,
  options: { showSecret: boolean },
): string {
  const secret = options.showSecret ? credentials.clientSecret : maskSecret(credentials.clientSecret);
  return `
Amazon Quick — user authentication fields (each user signs in; the server's access policy scopes their accounts)
  MCP server endpoint  ${deployment.mcpEndpoint}
  Authentication       User authentication (OAuth authorization code)
  Client ID            ${user.clientId}
  Client secret        ${secret}
  Authorization URL    ${user.authorizationUrl}
  Token URL            ${credentials.tokenUrl}
  Redirect URL         ${user.redirectUrls.join(', ')}
  (the redirect URL the Quick console shows must be one of these; if it differs, redeploy with
   -c quickRedirectUrls=<the URL Quick shows>)
`;
}

function renderSteps(): string {
  return `
Steps in the Amazon Quick console (labels may differ slightly between console versions)
  1. Integrations → Actions → add an integration of type Model Context Protocol.
  2. Name it (e.g. "AWS billing") and describe it: "Answers questions about AWS spend, budgets, commitments and
     savings with exact numbers from the AWS billing APIs (read-only)."
  3. Paste the MCP server endpoint above.
  4. Choose service authentication and enter the client ID, client secret and token URL above; or, for user
     authentication, choose user authentication and enter the user-authentication client ID, client secret,
     authorization URL and token URL, and check that the redirect URL Quick shows is listed above.
  5. Create and continue: Quick lists the server's tools as actions (all read-only, so none needs Action Review).
     If creation fails right after listing tools, run \`npm run smoke\`: the client must be in the runtime's
     allowed clients.
  6. Share the integration with the users who may ask about spend, then create a chat agent with the persona
     below and add this integration to it.
  7. After a redeploy that changes tools, refresh or re-create the integration: Quick reads the tool list when
     the integration is created.

Recommended chat-agent persona
${CHAT_AGENT_PERSONA.split('\n')
  .map((line) => (line ? `  ${line}` : ''))
  .join('\n')}
`;
}

export interface QuickConfigDeps {
  readonly stackPrefix: string;
  readonly region: string;
  readonly cloudFormation: CloudFormationClient;
  readonly secretsManager: SecretsManagerClient;
  readonly showSecret: boolean;
}

/** Reads the deployment and renders the configuration; a StepFailure says what to fix. */
export async function quickConfig(deps: QuickConfigDeps): Promise<string> {
  const deployment = await readDeployment(deps.cloudFormation, deps.stackPrefix, deps.region);
  const credentials = await readClientCredentials(deps.secretsManager, deployment.clientSecretArn);
  const userCredentials = deployment.userAuth
    ? await readClientCredentials(deps.secretsManager, deployment.userAuth.clientSecretArn)
    : undefined;
  return renderQuickConfig(deployment, credentials, { showSecret: deps.showSecret }, userCredentials);
}

const HELP = `Usage: npm run quick-config -- [--stack-prefix BillingMcp] [--region us-east-1] [--show-secret]

Prints the Amazon Quick MCP connector fields (endpoint, client ID, client secret, token URL) of a deployment, the
console steps, and a recommended chat-agent persona. The secret is masked unless --show-secret is given.`;

async function main(): Promise<number> {
  const start = await startCli(process.argv.slice(2), HELP, () =>
    new CloudFormationClient({}).config.region(),
  );
  if (start.exitCode !== undefined) return start.exitCode;
  const { options, region } = start;
  try {
    console.log(
      await quickConfig({
        stackPrefix: options.stackPrefix,
        region,
        cloudFormation: new CloudFormationClient({ region }),
        secretsManager: new SecretsManagerClient({ region }),
        showSecret: options.showSecret,
      }),
    );
    return 0;
  } catch (err) {
    if (err instanceof StepFailure) {
      console.error(`${err.message}\nfix: ${err.fix}`);
      return 1;
    }
    throw err;
  }
}

if (require.main === module) runMain(main);
