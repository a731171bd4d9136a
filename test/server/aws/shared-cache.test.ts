import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { AwsGateway, UsageMeter } from '../../../server/src/aws/gateway';
import { DYNAMODB_ITEM_LIMIT_BYTES, SharedCache, sharedCacheKey } from '../../../server/src/aws/shared-cache';
import { loadConfig } from '../../../server/src/config';
import { createLogger } from '../../../server/src/log';
import { FakeAws } from '../../fake-aws/fake-aws';
import { DYNALITE_CREDENTIALS, startDynalite, type Dynalite } from '../../dynamodb/dynalite';

const TABLE = 'billing-mcp-cache';
let db: Dynalite;
let clock = Date.parse('2026-11-24T12:00:00Z');
const now = () => clock;

beforeAll(async () => {
  db = await startDynalite();
  await db.createCacheTable(TABLE);
});
afterAll(() => db.stop());

function logged() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('debug', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { log, lines, warnings: () => lines.filter((l) => l.level === 'warn') };
}

function cacheOn(endpoint: string, options: { tableName?: string; readTimeoutMs?: number } = {}) {
  const { log, warnings } = logged();
  const cache = new SharedCache({
    tableName: options.tableName ?? TABLE,
    region: 'us-east-1',
    log,
    now,
    readTimeoutMs: options.readTimeoutMs ?? 2_000,
    clientConfig: { endpoint, credentials: DYNALITE_CREDENTIALS },
  });
  return { cache, warnings };
}

test('an answer one process writes is read by another, Dates and exact amounts intact', async () => {
  const writer = cacheOn(db.url).cache;
  const reader = cacheOn(db.url).cache;
  const key = sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'request-1');
  const value = { Total: { Amount: '42.0000000001' }, LastRefresh: new Date('2026-11-20T08:00:00Z') };
  writer.put(key, value, clock, clock + 900_000);
  await writer.flush();
  expect(writer.stats.writes).toBe(1);
  const hit = await reader.get(key);
  expect(hit).toEqual({ value, fetchedAt: clock, expiresAt: clock + 900_000 });
  expect((hit!.value as typeof value).LastRefresh).toBeInstanceOf(Date);
});

test('the stored value is compressed, and expires_at is epoch seconds', async () => {
  const { cache } = cacheOn(db.url);
  const key = sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'compressed');
  const value = {
    rows: Array.from({ length: 2_000 }, (_, i) => ({ Amount: '1.00', Key: `service-${i % 10}` })),
  };
  cache.put(key, value, clock, clock + 60_000);
  await cache.flush();
  const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
  const item = (await db.client.send(new GetItemCommand({ TableName: TABLE, Key: { key: { S: key } } })))
    .Item!;
  expect(item.value.B!.byteLength).toBeLessThan(JSON.stringify(value).length / 10);
  expect(item.expires_at.N).toBe(String((clock + 60_000) / 1000));
});

test('an answer past its expires_at is not served, although DynamoDB has not deleted it yet', async () => {
  const { cache } = cacheOn(db.url);
  const key = sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'expiring');
  cache.put(key, { a: 1 }, clock, clock + 10_000);
  await cache.flush();
  expect(await cache.get(key)).toBeDefined();
  clock += 11_000;
  expect(await cache.get(key)).toBeUndefined();
  expect(await db.itemCount(TABLE)).toBeGreaterThan(0);
});

test('an answer over the item size limit once compressed is not shared; a large compressible one is', async () => {
  const { cache } = cacheOn(db.url);
  const big = sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'oversized');
  // Random bytes do not compress: ~530 KB of base64 stays over 400 KB.
  cache.put(big, { blob: randomBytes(DYNAMODB_ITEM_LIMIT_BYTES).toString('base64') }, clock, clock + 60_000);
  const fine = sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'large-but-compressible');
  cache.put(fine, { blob: 'x'.repeat(2 * DYNAMODB_ITEM_LIMIT_BYTES) }, clock, clock + 60_000);
  await cache.flush();
  expect(cache.stats).toMatchObject({ oversized: 1, writes: 1, failures: 0 });
  expect(await cache.get(big)).toBeUndefined();
  expect(await cache.get(fine)).toBeDefined();
});

test('a missing table is a miss, logged once, then left alone for a while', async () => {
  const { cache, warnings } = cacheOn(db.url, { tableName: 'no-such-table' });
  const key = sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'missing');
  expect(await cache.get(key)).toBeUndefined();
  cache.put(key, { a: 1 }, clock, clock + 60_000);
  expect(await cache.get(key)).toBeUndefined();
  await cache.flush();
  expect(cache.stats).toMatchObject({ failures: 1, skipped: 2, hits: 0 });
  expect(warnings()).toHaveLength(1);
  expect(warnings()[0]).toMatchObject({
    msg: 'shared cache unavailable; answering from AWS',
    table: 'no-such-table',
  });
  clock += 61_000;
  expect(await cache.get(key)).toBeUndefined();
  expect(cache.stats.failures).toBe(2);
  // Still failing: no second warning for the same outage.
  expect(warnings()).toHaveLength(1);
});

test('a table that is down (nothing listening) is a miss', async () => {
  const closed = createTcpServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const { cache, warnings } = cacheOn(`http://127.0.0.1:${port}`);
  expect(await cache.get(sharedCacheKey('1', 'ce:GetCostAndUsage', 'down'))).toBeUndefined();
  expect(cache.stats.failures).toBe(1);
  expect(warnings()).toHaveLength(1);
});

describe('a table that does not answer or throttles', () => {
  let silent: TcpServer;
  const sockets: import('node:net').Socket[] = [];
  let throttling: Server;
  const urls = { silent: '', throttling: '' };
  beforeAll(async () => {
    // Accepts connections and never answers: a slow table.
    silent = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    urls.silent = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    // dynalite does not throttle; this answers every request with DynamoDB's throttling error (awsJson1_0).
    throttling = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            message: 'The level of configured provisioned throughput for the table was exceeded.',
          }),
        );
      });
    });
    await new Promise<void>((resolve) => throttling.listen(0, '127.0.0.1', resolve));
    urls.throttling = `http://127.0.0.1:${(throttling.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    throttling.closeAllConnections();
    await new Promise<void>((resolve) => throttling.close(() => resolve()));
  });

  test('a read that takes longer than the read timeout is a miss', async () => {
    const { cache, warnings } = cacheOn(urls.silent, { readTimeoutMs: 200 });
    expect(await cache.get(sharedCacheKey('1', 'ce:GetCostAndUsage', 'slow'))).toBeUndefined();
    expect(cache.stats.failures).toBe(1);
    expect(warnings()).toHaveLength(1);
  });

  test('a throttled read is a miss and is not retried', async () => {
    const { cache, warnings } = cacheOn(urls.throttling);
    expect(await cache.get(sharedCacheKey('1', 'ce:GetCostAndUsage', 'throttled'))).toBeUndefined();
    expect(cache.stats.failures).toBe(1);
    expect(warnings()[0]).toMatchObject({ operation: 'dynamodb:GetItem' });
  });
});

test('the key separates accounts, operations, requests and scopes, and stays readable and short', () => {
  const base = sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'req');
  expect(base).toMatch(/^v1#111111111111#ce:GetCostAndUsage#[A-Za-z0-9_-]{43}$/);
  const others = [
    sharedCacheKey('222222222222', 'ce:GetCostAndUsage', 'req'),
    sharedCacheKey('111111111111', 'ce:GetCostForecast', 'req'),
    sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'req2'),
    sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'req', 'team-a'),
    sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'req', 'team-b'),
    sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'req', ''),
  ];
  expect(new Set([base, ...others]).size).toBe(7);
  expect(sharedCacheKey('111111111111', 'ce:GetCostAndUsage', 'x'.repeat(10_000)).length).toBeLessThan(100);
});

describe('through the gateway', () => {
  const fake = new FakeAws();
  const saved = { ...process.env };
  beforeAll(async () => {
    await fake.start();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: fake.url,
      AWS_ACCESS_KEY_ID: 'AKIDBASE',
      AWS_SECRET_ACCESS_KEY: 'base-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await fake.stop();
  });
  beforeEach(() => {
    fake.reset();
    fake.on('ce:GetCostAndUsage', () => ({
      ResultsByTime: [{ Total: { UnblendedCost: { Amount: '7.25' } } }],
    }));
  });

  function gateway(sharedCache: SharedCache) {
    const config = loadConfig({ AWS_REGION: 'us-east-1' });
    return new AwsGateway(
      config,
      createLogger('error', () => undefined),
      { now, sharedCache },
    );
  }
  const own = { accountId: '111111111111', isOwn: true };
  const input = { TimePeriod: { Start: '2026-10-01', End: '2026-11-01' }, Granularity: 'MONTHLY' as const };

  test('a second process answers from the table: no AWS request, counted as a shared-cache hit', async () => {
    const first = gateway(cacheOn(db.url).cache);
    const second = gateway(cacheOn(db.url).cache);
    const m1 = new UsageMeter();
    const a = await first.call(
      'ce:GetCostAndUsage',
      { ...input, Metrics: ['UnblendedCost'] },
      { account: own, meter: m1 },
    );
    await first.flushSharedCache();
    const m2 = new UsageMeter();
    const b = await second.call(
      'ce:GetCostAndUsage',
      { ...input, Metrics: ['UnblendedCost'] },
      { account: own, meter: m2 },
    );
    expect(b).toEqual(a);
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(1);
    expect([m1.paidRequests, m1.sharedCacheHits, m2.paidRequests, m2.sharedCacheHits]).toEqual([1, 0, 0, 1]);
  });

  test('an answer fetched for one scope is not served to another scope', async () => {
    const TEAM_A = { accounts: ['222222222222'], grantedBy: ['team-a'] };
    const TEAM_B = { accounts: ['333333333333'], grantedBy: ['team-b'] };
    const first = gateway(cacheOn(db.url).cache);
    const second = gateway(cacheOn(db.url).cache);
    const req = { ...input, Metrics: ['BlendedCost'] };
    await first.call('ce:GetCostAndUsage', req, { account: own, scope: TEAM_A });
    await first.flushSharedCache();
    const other = new UsageMeter();
    await second.call('ce:GetCostAndUsage', req, { account: own, scope: TEAM_B, meter: other });
    expect([other.paidRequests, other.sharedCacheHits]).toEqual([1, 0]);
    const same = new UsageMeter();
    await gateway(cacheOn(db.url).cache).call('ce:GetCostAndUsage', req, {
      account: own,
      scope: TEAM_A,
      meter: same,
    });
    expect([same.paidRequests, same.sharedCacheHits]).toEqual([0, 1]);
  });

  test('refresh skips the table as well, and stores the fresh answer', async () => {
    const first = gateway(cacheOn(db.url).cache);
    const req = { ...input, Metrics: ['AmortizedCost'] };
    await first.call('ce:GetCostAndUsage', req, { account: own });
    await first.flushSharedCache();
    const m = new UsageMeter();
    const second = gateway(cacheOn(db.url).cache);
    await second.call('ce:GetCostAndUsage', req, { account: own, refresh: true, meter: m });
    expect([m.paidRequests, m.sharedCacheHits]).toEqual([1, 0]);
    expect(fake.callsTo('ce:GetCostAndUsage')).toHaveLength(2);
  });

  test('a tool call still gets its answer from AWS when the table is missing', async () => {
    const m = new UsageMeter();
    const out = await gateway(cacheOn(db.url, { tableName: 'gone' }).cache).call(
      'ce:GetCostAndUsage',
      { ...input, Metrics: ['NetUnblendedCost'] },
      { account: own, meter: m },
    );
    expect(out.ResultsByTime?.[0].Total?.UnblendedCost.Amount).toBe('7.25');
    expect(m.paidRequests).toBe(1);
  });
});
