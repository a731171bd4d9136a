import { runSmoke, STEPS, type StepResult } from '../../scripts/smoke';
import { startServer, type RunningServer } from '../e2e/harness';
import { awsError, FakeAws } from '../fake-aws/fake-aws';
import { LocalIssuer } from '../fake-issuer/local-issuer';
import { AgentCoreStandIn, RUNTIME_ARN } from './agentcore-stand-in';
import { fakeAwsClients, installDeployment, type FakeDeployment } from './fake-deployment';

/*
 * `npm run smoke` end to end, on this machine: CloudFormation and Secrets Manager answered by the fake AWS endpoint,
 * a local OAuth issuer as the Cognito token URL, an AgentCore stand-in in front of the bundled server, and the
 * server itself verifying bearer tokens (AUTH_*) the way the runtime's JWT authorizer would.
 */

const SCOPE = 'billing-mcp/invoke';
const issuer = new LocalIssuer()
  .addClient({ id: 'quick-client', secret: 'quick-secret', scopes: [SCOPE] })
  .addClient({ id: 'stranger', secret: 'stranger-secret', scopes: [SCOPE] })
  .addClient({ id: 'narrow', secret: 'narrow-secret', scopes: ['billing-mcp/read'] });
const fake = new FakeAws();
let server: RunningServer;
const standIn = new AgentCoreStandIn(() => server.url);

beforeAll(async () => {
  await Promise.all([issuer.start(), fake.start(), standIn.start()]);
  server = await startServer(fake, {
    AUTH_DISCOVERY_URL: issuer.discoveryUrl,
    AUTH_ALLOWED_CLIENTS: 'quick-client,narrow',
    AUTH_REQUIRED_SCOPE: SCOPE,
    // Each test sets up its own AWS answers; cached ones from an earlier test must not hide them.
    CACHE_TTL_SECONDS: '0',
  });
});

afterAll(async () => {
  await server?.stop();
  await Promise.all([fake.stop(), issuer.stop(), standIn.stop()]);
});

function deployment(overrides: Partial<FakeDeployment> = {}): FakeDeployment {
  return {
    stackPrefix: 'BillingMcp',
    runtimeArn: RUNTIME_ARN,
    mcpEndpoint: standIn.endpoint,
    tokenUrl: issuer.tokenUrl,
    discoveryUrl: issuer.discoveryUrl,
    clientId: 'quick-client',
    secret: {
      client_id: 'quick-client',
      client_secret: 'quick-secret',
      token_url: issuer.tokenUrl,
      scope: SCOPE,
    },
    ...overrides,
  };
}

beforeEach(() => {
  fake.reset();
  fake.fallback = () => ({});
  standIn.mode = 'forward';
});

async function smoke(d: FakeDeployment, options: { stackPrefix?: string; timeoutMs?: number } = {}) {
  installDeployment(fake, d);
  const lines: string[] = [];
  const results = await runSmoke({
    stackPrefix: options.stackPrefix ?? d.stackPrefix,
    region: 'us-east-1',
    ...fakeAwsClients(fake),
    timeoutMs: options.timeoutMs ?? 15_000,
    print: (line) => lines.push(line),
  });
  return { results, output: lines.join('\n'), failed: results.find((r) => !r.ok) };
}

function stepsPassed(results: StepResult[]): string[] {
  return results.filter((r) => r.ok).map((r) => r.step);
}

test('passes every step against a deployment that works, calling a free tool', async () => {
  const { results, output } = await smoke(deployment());
  expect(results.map((r) => [r.step, r.ok])).toEqual(STEPS.map((s) => [s, true]));
  expect(output).toMatch(/^PASS {2}initialize {5}billing-mcp \S+, protocol 2025-06-18/m);
  expect(output).toMatch(/^PASS {2}tools\/list {5}\d+ tools, all read-only$/m);
  expect(output).toMatch(/^PASS {2}tools\/call {5}get-budgets answered in \d+ ms: /m);
  expect(fake.callsTo('budgets:DescribeBudgets')).toHaveLength(1);
  // The token came from the token URL, with HTTP Basic client authentication.
  expect(issuer.tokenRequests).toBeGreaterThan(0);
});

test('a missing stack: fails first with the fix to deploy or pass the right prefix and region', async () => {
  const { results, failed } = await smoke(deployment(), { stackPrefix: 'Elsewhere' });
  expect(results).toHaveLength(1);
  expect(failed).toEqual({
    step: 'stack outputs',
    ok: false,
    detail: 'Stack Elsewhere-Auth does not exist in us-east-1.',
    fix: 'Deploy it (`npx cdk deploy --all`), or pass the --stack-prefix and --region it was deployed with.',
  });
});

test('a failed deployment: says the stack rolled back and where to look', async () => {
  const { failed } = await smoke(deployment({ authStatus: 'UPDATE_ROLLBACK_COMPLETE' }));
  expect(failed?.detail).toBe('Stack BillingMcp-Auth is UPDATE_ROLLBACK_COMPLETE.');
  expect(failed?.fix).toMatch(/^The last deployment failed: read the stack events/);
});

test('a stale client secret: the token step fails with invalid_client and the fix', async () => {
  const d = deployment();
  const { results, failed } = await smoke({ ...d, secret: { ...d.secret, client_secret: 'rotated-away' } });
  expect(stepsPassed(results)).toEqual(['stack outputs', 'client secret']);
  expect(failed?.detail).toBe('The token endpoint answered HTTP 400 invalid_client.');
  expect(failed?.fix).toMatch(/^The client id or secret is wrong/);
});

test('a client the runtime does not allow: 401 at initialize, naming the client', async () => {
  const { results, failed } = await smoke(
    deployment({
      clientId: 'stranger',
      secret: {
        client_id: 'stranger',
        client_secret: 'stranger-secret',
        token_url: issuer.tokenUrl,
        scope: SCOPE,
      },
    }),
  );
  expect(stepsPassed(results)).toEqual(['stack outputs', 'client secret', 'access token']);
  expect(failed?.step).toBe('initialize');
  expect(failed?.detail).toMatch(/^HTTP 401: .*client stranger is not in AUTH_ALLOWED_CLIENTS/);
  expect(failed?.fix).toMatch(/client id is not in the runtime's allowed clients/);
  expect(failed?.fix).toContain('The token sent has client_id stranger and scope "billing-mcp/invoke".');
});

test('a token without the invoke scope: 403 at initialize with the scope fix', async () => {
  const { failed } = await smoke(
    deployment({
      clientId: 'narrow',
      secret: {
        client_id: 'narrow',
        client_secret: 'narrow-secret',
        token_url: issuer.tokenUrl,
        scope: 'billing-mcp/read',
      },
    }),
  );
  expect(failed?.step).toBe('initialize');
  expect(failed?.detail).toMatch(/^HTTP 403: .*lacks the scope billing-mcp\/invoke/);
  expect(failed?.fix).toMatch(/^Forbidden: the token lacks the required scope/);
});

test('an endpoint with the runtime ARN not URL-encoded: 404 with the encoding fix', async () => {
  const { failed, output } = await smoke(
    deployment({ mcpEndpoint: `${standIn.url}/runtimes/${RUNTIME_ARN}/invocations` }),
  );
  expect(output).toContain('note: the endpoint does not contain the URL-encoded runtime ARN');
  expect(failed?.step).toBe('initialize');
  expect(failed?.detail).toMatch(/^HTTP 404/);
  expect(failed?.fix).toBe(
    'The endpoint does not carry the runtime ARN URL-encoded (":" → %3A, "/" → %2F): use the McpEndpoint output ' +
      `as is, i.e. .../runtimes/${encodeURIComponent(RUNTIME_ARN)}/invocations.`,
  );
});

test('a container that does not answer the runtime: 424 with the log group to read', async () => {
  standIn.mode = 'failed-dependency';
  const { failed } = await smoke(deployment());
  expect(failed?.detail).toMatch(/^HTTP 424/);
  expect(failed?.fix).toContain('/aws/bedrock-agentcore/runtimes/BillingMcp_Server-AbCd123456-DEFAULT');
});

test('no answer within the timeout: explains cold starts', async () => {
  standIn.mode = 'hang';
  const { failed } = await smoke(deployment(), { timeoutMs: 500 });
  expect(failed?.step).toBe('initialize');
  expect(failed?.detail).toMatch(/within 0\.5 s\.$/);
  expect(failed?.fix).toMatch(/^A cold container start can take 30 s or more/);
});

test('an image without tools: fails at tools/list and says to redeploy and refresh Quick', async () => {
  standIn.mode = 'no-tools';
  const { failed } = await smoke(deployment());
  expect(failed).toMatchObject({ step: 'tools/list', detail: 'tools/list returned no tools.' });
  expect(failed?.fix).toMatch(/redeploy the Runtime stack.*re-create or refresh it/);
});

test('a tool that AWS refuses: fails at tools/call with the permission fix', async () => {
  fake.on('budgets:DescribeBudgets', () =>
    awsError(
      'AccessDeniedException',
      'User: arn:aws:sts::111111111111:assumed-role/exec/s is not authorized to perform: budgets:ViewBudget',
    ),
  );
  const { results, failed } = await smoke(deployment());
  expect(results).toHaveLength(STEPS.length);
  expect(failed?.step).toBe('tools/call');
  expect(failed?.detail).toMatch(/^get-budgets failed: Access denied for budgets:ViewBudget/);
  expect(failed?.fix).toBe(
    'The execution role lacks the permission named above: redeploy the ExecutionRole stack.',
  );
});
