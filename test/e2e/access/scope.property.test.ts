import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { FakeAws, OWN_ACCOUNT, type RecordedCall } from '../../fake-aws/fake-aws';
import { LocalIssuer } from '../../fake-issuer/local-issuer';
import { wellTypedObject, type JsonSchema } from '../../fuzz/schema-arbitrary';
import { startServer, type RunningServer } from '../harness';
import { installBillingData, LINKED_AMOUNTS, visibleAccounts } from './billing-data';

/*
 * Property: whoever calls, whatever tool, whatever arguments, nothing leaves the caller's scope. For every call,
 * every request reaching the fake AWS endpoint stays inside it (a Cost Explorer request's filter lets through only
 * scoped accounts, any other account-data request is made in a scoped account), and the answer holds no amount of
 * an account outside it, nor an account id the caller did not name itself. The checker is the test's own (it
 * evaluates filters as the fake Cost Explorer does), and a negative control shows it failing on a server without
 * a policy.
 */

const POLICY = { finance: '*', 'team-a': ['222222222222'], 'team-b': ['333333333333', '444444444444'] };
type Scope = '*' | readonly string[];
const CALLERS: { label: string; groups: string[] | 'service'; scope: Scope | 'none' }[] = [
  { label: 'finance', groups: ['finance'], scope: '*' },
  { label: 'team-a', groups: ['team-a'], scope: ['222222222222'] },
  { label: 'team-b', groups: ['team-b'], scope: ['333333333333', '444444444444'] },
  {
    label: 'team-a+b',
    groups: ['team-a', 'team-b'],
    scope: ['222222222222', '333333333333', '444444444444'],
  },
  { label: 'marketing', groups: ['marketing'], scope: 'none' },
  // No @service key: the service identity keeps the server's allowed accounts.
  { label: 'service', groups: 'service', scope: '*' },
];
// Operations whose requests carry a Cost Explorer filter that decides which accounts' data comes back.
const FILTERED =
  /^ce:(GetCostAndUsage|GetCostAndUsageWithResources|GetDimensionValues|GetTags|GetCostCategories|GetCostForecast|GetUsageForecast|GetCostAndUsageComparisons|GetCostComparisonDrivers|GetReservationCoverage|GetReservationUtilization|GetSavingsPlansCoverage|GetSavingsPlansUtilization|GetSavingsPlansUtilizationDetails)$/;
// No account data at all.
const PUBLIC = /^(sts|pricing):/;
// The account directory (issue 13): Organizations reads name every account of the organization and can only be made
// where the organization is readable (the management account), so they are not held to the queried-account rule;
// what reaches the caller is cut to the scope, which the answer checks below hold to, as for every tool.
const DIRECTORY = /^organizations:/;

const issuer = new LocalIssuer();
const fake = new FakeAws();
let scoped: RunningServer;
let unscoped: RunningServer;
let tools: { name: string; inputSchema: JsonSchema }[] = [];

function installFake(): void {
  fake.reset();
  installBillingData(fake);
  // Every other operation answers empty-but-valid, as in the fuzz suite.
  fake.fallback = () => ({});
}

beforeAll(async () => {
  await issuer.start();
  await fake.start();
  installFake();
  const env = {
    AUTH_DISCOVERY_URL: issuer.discoveryUrl,
    AUTH_ALLOWED_CLIENTS: 'quick-client,quick-users',
    ALLOWED_TARGET_ACCOUNTS: '*',
  };
  [scoped, unscoped] = await Promise.all([
    startServer(fake, { ...env, ACCESS_POLICY: JSON.stringify(POLICY) }),
    startServer(fake, env),
  ]);
  const client = await clientFor(scoped, CALLERS[0]);
  tools = (await client.listTools()).tools as never;
  await client.close();
});

afterAll(async () => {
  await Promise.all([scoped?.stop(), unscoped?.stop()]);
  await fake.stop();
  await issuer.stop();
});

function tokenFor(caller: (typeof CALLERS)[number]): string {
  return caller.groups === 'service'
    ? issuer.mint({ clientId: 'quick-client' })
    : issuer.mintUser({ username: `user-${caller.label}`, groups: caller.groups });
}

async function clientFor(server: RunningServer, caller: (typeof CALLERS)[number]): Promise<Client> {
  const client = new Client({ name: 'scope-property', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { authorization: `Bearer ${tokenFor(caller)}` } },
    }),
  );
  return client;
}

function accountOf(call: RecordedCall): string {
  return call.accessKeyId.startsWith('ASIA') ? call.accessKeyId.slice(4, 16) : OWN_ACCOUNT;
}

/** What in one call left the scope; empty when nothing did. */
function violations(
  scope: Scope | 'none',
  calls: RecordedCall[],
  result: CallToolResult,
  args: unknown,
): string[] {
  const found: string[] = [];
  const inScope = (a: string) => scope === '*' || (scope !== 'none' && scope.includes(a));
  for (const call of calls) {
    if (PUBLIC.test(call.key) || DIRECTORY.test(call.key) || scope === '*') continue;
    if (scope === 'none') found.push(`${call.key} sent for a caller with no access`);
    else if (FILTERED.test(call.key)) {
      const leaked = visibleAccounts(call.body.Filter as never).filter((a) => !inScope(a));
      if (leaked.length) found.push(`${call.key} in ${accountOf(call)} lets through ${leaked.join(', ')}`);
    } else if (!inScope(accountOf(call))) found.push(`${call.key} made in ${accountOf(call)}`);
  }
  const text = JSON.stringify(result);
  const named = JSON.stringify(args ?? {});
  for (const [account, amount] of Object.entries(LINKED_AMOUNTS)) {
    if (inScope(account)) continue;
    if (text.includes(amount)) found.push(`the answer holds ${account}'s amount ${amount}`);
    if (text.includes(account) && !named.includes(account)) found.push(`the answer names ${account}`);
  }
  return found;
}

/**
 * Waits until the fake has seen no new request for a short while: a tool may answer before every request it
 * started has arrived (e.g. one abandoned at the deadline), and such a request belongs to this call.
 */
async function settled(): Promise<RecordedCall[]> {
  let seen = -1;
  while (seen !== fake.calls.length) {
    seen = fake.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return [...fake.calls];
}

async function callAndCheck(
  server: RunningServer,
  caller: (typeof CALLERS)[number],
  tool: string,
  args: Record<string, unknown>,
): Promise<string[]> {
  installFake();
  const client = await clientFor(server, caller);
  try {
    const result = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
    return violations(caller.scope, await settled(), result, args);
  } catch {
    // Arguments the SDK refuses before any handler runs (a protocol error): nothing reached AWS.
    return violations(caller.scope, await settled(), { content: [] }, args);
  } finally {
    await client.close();
  }
}

test('random callers × random tools × random arguments never leave the caller’s scope', async () => {
  const cases = fc.constantFrom(...tools).chain((tool) =>
    fc.record({
      tool: fc.constant(tool.name),
      caller: fc.constantFrom(...CALLERS),
      args: wellTypedObject(tool.inputSchema),
    }),
  );
  await fc.assert(
    fc.asyncProperty(cases, async ({ tool, caller, args }) => {
      expect({
        tool,
        caller: caller.label,
        args,
        problems: await callAndCheck(scoped, caller, tool, args),
      }).toEqual({ tool, caller: caller.label, args, problems: [] });
    }),
    { seed: 20261202, numRuns: 250 },
  );
}, 120_000);

test('every tool was exercised for a scoped caller at least once with its minimal arguments', async () => {
  for (const tool of tools) {
    expect({ tool: tool.name, problems: await callAndCheck(scoped, CALLERS[1], tool.name, {}) }).toEqual({
      tool: tool.name,
      problems: [],
    });
  }
}, 60_000);

test('negative control: the checker catches a server that applies no policy', async () => {
  const problems = await callAndCheck(unscoped, CALLERS[1], 'get-cost-and-usage', {
    period: 'last_month',
    group_by: [{ type: 'DIMENSION', key: 'LINKED_ACCOUNT' }],
  });
  expect(problems).toEqual(
    expect.arrayContaining([
      'ce:GetCostAndUsage in 111111111111 lets through 333333333333, 444444444444, 555555555555',
      "the answer holds 333333333333's amount 2345.67",
      'the answer names 555555555555',
    ]),
  );
});
