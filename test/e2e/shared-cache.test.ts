import { FakeAws } from '../fake-aws/fake-aws';
import { startDynalite, type Dynalite } from '../dynamodb/dynalite';
import { startServer, textOf, type RunningServer } from './harness';

// Two bundled server processes stand for two AgentCore sessions (two microVMs): they share nothing but the table.

const TABLE = 'billing-mcp-cache';
const fake = new FakeAws();
let db: Dynalite;
const servers: RunningServer[] = [];

beforeAll(async () => {
  await fake.start();
  db = await startDynalite();
  await db.createCacheTable(TABLE);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await db.stop();
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  fake.on('ce:GetCostAndUsage', () => ({
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Estimated: false,
        Total: { UnblendedCost: { Amount: '1234.5600000001', Unit: 'USD' } },
      },
    ],
  }));
});

async function session(env: Record<string, string>) {
  const server = await startServer(fake, { SHARED_CACHE_TABLE: TABLE, ...env });
  servers.push(server);
  const client = await server.client();
  return {
    server,
    ask: async (args: Record<string, unknown>) => {
      const result = await client.callTool({ name: 'get-cost-and-usage', arguments: args });
      return { data: result.structuredContent as Record<string, any>, text: textOf(result) };
    },
  };
}

async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
}

test('a second server process answers from the shared table without a paid request, and says so', async () => {
  const dynamo = { AWS_ENDPOINT_URL_DYNAMODB: db.url };
  const [a, b] = await Promise.all([session(dynamo), session(dynamo)]);
  const args = { period: 'last_month' };
  const first = await a.ask(args);
  expect(first.data.api).toMatchObject({ paid_requests: 1, shared_cache_hits: 0 });
  await until(async () => (await db.itemCount(TABLE)) > 0);
  const second = await b.ask(args);
  expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(1);
  expect(second.data.api).toMatchObject({
    requests: 0,
    paid_requests: 0,
    cache_hits: 0,
    shared_cache_hits: 1,
  });
  expect(second.text).toContain('1 from the shared cache (data fetched ');
  expect(first.data.total).toBeDefined();
  expect(second.data.total).toEqual(first.data.total);
  // refresh: true goes to AWS again.
  const fresh = await b.ask({ ...args, refresh: true });
  expect(fresh.data.api).toMatchObject({ paid_requests: 1, shared_cache_hits: 0 });
});

test('with the table down, tools answer from AWS and the server logs the outage once', async () => {
  const { server, ask } = await session({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' });
  const one = await ask({ period: 'last_month', metrics: ['BlendedCost'] });
  const two = await ask({ period: 'last_month', metrics: ['AmortizedCost'] });
  expect([one.data.api.paid_requests, two.data.api.paid_requests]).toEqual([1, 1]);
  expect(one.data.total).toBeDefined();
  await until(async () => server.stderr().includes('shared cache unavailable'));
  expect(server.stderr().match(/shared cache unavailable/g)).toHaveLength(1);
});
