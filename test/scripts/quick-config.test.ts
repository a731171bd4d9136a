import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { quickConfig, renderQuickConfig } from '../../scripts/quick-config';
import { parseArgs, resolveRegion, UsageError } from '../../scripts/lib/args';
import type { ClientCredentials, Deployment } from '../../scripts/lib/deployment';
import { CHAT_AGENT_PERSONA } from '../../scripts/lib/persona';
import { useServer } from '../e2e/harness';
import { RUNTIME_ARN } from './agentcore-stand-in';
import { fakeAwsClients, installDeployment, USER_SECRET_ARN } from './fake-deployment';

const { fake, client } = useServer();

const ENDPOINT = `https://bedrock-agentcore.us-east-1.amazonaws.com/runtimes/${encodeURIComponent(RUNTIME_ARN)}/invocations`;
const TOKEN_URL = 'https://billing-mcp-abc123.auth.us-east-1.amazoncognito.com/oauth2/token';
const SECRET = '1a2b3c4d5e6f7g8h9i0jklmnopqrstuvwxyz0123456789abcdef';

const deployment: Deployment = {
  authStack: 'BillingMcp-Auth',
  runtimeStack: 'BillingMcp-Runtime',
  tokenUrl: TOKEN_URL,
  clientId: '4example0client0id0abcdefg',
  discoveryUrl:
    'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example/.well-known/openid-configuration',
  clientSecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:QuickClientSecret-AbCdEf',
  runtimeArn: RUNTIME_ARN,
  mcpEndpoint: ENDPOINT,
  mcpEndpointWithQualifier: `${ENDPOINT}?qualifier=DEFAULT`,
};
const credentials: ClientCredentials = {
  clientId: deployment.clientId,
  clientSecret: SECRET,
  tokenUrl: TOKEN_URL,
  scope: 'billing-mcp/invoke',
};

describe('quick-config output', () => {
  test('prints the four connector fields with the secret masked', () => {
    const text = renderQuickConfig(deployment, credentials, { showSecret: false });
    expect(text).toContain(`  MCP server endpoint  ${ENDPOINT}\n`);
    expect(text).toContain('  Client ID            4example0client0id0abcdefg\n');
    expect(text).toContain('  Client secret        1a2b…cdef (52 characters; --show-secret prints it)\n');
    expect(text).toContain(`  Token URL            ${TOKEN_URL}\n`);
    expect(text).not.toContain(SECRET);
  });

  test('prints the secret itself only with --show-secret', () => {
    const text = renderQuickConfig(deployment, credentials, { showSecret: true });
    expect(text).toContain(`  Client secret        ${SECRET}\n`);
    expect(parseArgs(['--show-secret']).showSecret).toBe(true);
    expect(parseArgs([]).showSecret).toBe(false);
  });

  test('gives the Quick console steps and the persona', () => {
    const text = renderQuickConfig(deployment, credentials, { showSecret: false });
    expect(text).toMatch(/1\. Integrations → Actions → add an integration of type Model Context Protocol\./);
    expect(text).toContain('Recommended chat-agent persona');
    expect(text).toContain(`  ${CHAT_AGENT_PERSONA.split('\n')[0]}`);
  });

  test('reads the values from the stacks and the secret', async () => {
    installDeployment(fake, {
      stackPrefix: 'Team-Billing',
      runtimeArn: RUNTIME_ARN,
      mcpEndpoint: ENDPOINT,
      tokenUrl: TOKEN_URL,
      discoveryUrl: deployment.discoveryUrl,
      clientId: credentials.clientId,
      secret: {
        client_id: credentials.clientId,
        client_secret: SECRET,
        token_url: TOKEN_URL,
        scope: 'billing-mcp/invoke',
      },
    });
    const text = await quickConfig({
      stackPrefix: 'Team-Billing',
      region: 'us-east-1',
      showSecret: false,
      ...fakeAwsClients(fake),
    });
    expect(text).toEqual(
      renderQuickConfig(
        { ...deployment, authStack: 'Team-Billing-Auth', runtimeStack: 'Team-Billing-Runtime' },
        credentials,
        { showSecret: false },
      ),
    );
    expect(
      fake
        .callsTo('cloudformation:DescribeStacks')
        .map((c) => c.body.StackName)
        .sort(),
    ).toEqual(['Team-Billing-Auth', 'Team-Billing-Runtime']);
  });
});

describe('quick-config with user authentication', () => {
  const USER_SECRET = 'u5er0secret0abcdefghijklmnopqrstuvwxyz0123456789ZYXW';
  const AUTHORIZE = 'https://billing-mcp-abc123.auth.us-east-1.amazoncognito.com/oauth2/authorize';
  const REDIRECT = 'https://us-east-1.quicksight.aws.amazon.com/sn/oauthcallback';
  const install = () =>
    installDeployment(fake, {
      stackPrefix: 'BillingMcp',
      runtimeArn: RUNTIME_ARN,
      mcpEndpoint: ENDPOINT,
      tokenUrl: TOKEN_URL,
      discoveryUrl: deployment.discoveryUrl,
      clientId: credentials.clientId,
      secret: { client_id: credentials.clientId, client_secret: SECRET, token_url: TOKEN_URL },
      userAuth: {
        clientId: '7user0client0id0abcdefghij',
        authorizationUrl: AUTHORIZE,
        redirectUrls: [REDIRECT],
        secret: {
          client_id: '7user0client0id0abcdefghij',
          client_secret: USER_SECRET,
          authorization_url: AUTHORIZE,
          token_url: TOKEN_URL,
          scope: 'openid billing-mcp/invoke',
        },
      },
    });
  const run = (showSecret: boolean) =>
    quickConfig({ stackPrefix: 'BillingMcp', region: 'us-east-1', showSecret, ...fakeAwsClients(fake) });

  test('prints client ID, masked secret, authorization URL, token URL and the redirect URL', async () => {
    install();
    const text = await run(false);
    const section = text.slice(text.indexOf('user authentication fields'));
    expect(section).toContain('  Client ID            7user0client0id0abcdefghij\n');
    expect(section).toContain('  Client secret        u5er…ZYXW (52 characters; --show-secret prints it)\n');
    expect(section).toContain(`  Authorization URL    ${AUTHORIZE}\n`);
    expect(section).toContain(`  Token URL            ${TOKEN_URL}\n`);
    expect(section).toContain(`  Redirect URL         ${REDIRECT}\n`);
    expect(text).not.toContain(USER_SECRET);
    expect(fake.callsTo('secretsmanager:GetSecretValue').map((c) => c.body.SecretId)).toContain(
      USER_SECRET_ARN,
    );
  });

  test('prints the user client secret only with --show-secret', async () => {
    install();
    expect(await run(true)).toContain(`  Client secret        ${USER_SECRET}\n`);
  });

  test('a deployment without user authentication prints no user fields', () => {
    expect(renderQuickConfig(deployment, credentials, { showSecret: false })).not.toContain(
      'Authorization URL',
    );
  });
});

describe('the recommended persona', () => {
  test('names only tools the server lists', async () => {
    const listed = new Set((await client().listTools()).tools.map((t) => t.name));
    const named = [...new Set(CHAT_AGENT_PERSONA.match(/\b[a-z]+(?:-[a-z]+)+\b/g) ?? [])].filter(
      (n) => !['month-over-month', 'month-end'].includes(n),
    );
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((n) => !listed.has(n))).toEqual([]);
  });

  test('is quoted verbatim in the README, and the README block holds nothing else', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Recommended chat-agent persona'));
    const block = /```text\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(block).toBe(CHAT_AGENT_PERSONA);
  });
});

describe('command-line flags', () => {
  test('accept both --flag value and --flag=value', () => {
    expect(
      parseArgs(['--stack-prefix', 'Team-Billing', '--region=eu-west-1', '--tool', 'get-budgets']),
    ).toEqual({
      stackPrefix: 'Team-Billing',
      region: 'eu-west-1',
      showSecret: false,
      tool: 'get-budgets',
      timeoutSeconds: 60,
      help: false,
    });
  });

  test('refuse unknown flags, missing values and malformed regions', () => {
    expect(() => parseArgs(['--stack'])).toThrow(new UsageError('Unknown argument "--stack". Try --help.'));
    expect(() => parseArgs(['--region'])).toThrow(new UsageError('--region needs a value.'));
    expect(() => parseArgs(['--region', 'useast1'])).toThrow(/--region must be a region name/);
    expect(() => parseArgs(['--stack-prefix', '1abc'])).toThrow(/--stack-prefix must be a letter/);
  });

  test('without a region anywhere, say how to give one', async () => {
    await expect(
      resolveRegion(undefined, () => Promise.reject(new Error('Region is missing'))),
    ).rejects.toThrow(
      new UsageError(
        'No AWS region: pass --region (the region the stacks were deployed to) or set AWS_REGION.',
      ),
    );
  });
});
