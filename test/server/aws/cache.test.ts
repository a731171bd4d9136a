import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  AnswerCache,
  cacheKey,
  entryBytes,
  heapBytes,
  SharedRequestFailed,
} from '../../../server/src/aws/cache';

/** A clock the test moves by hand. */
function fakeClock(start = Date.parse('2026-11-24T12:00:00Z')) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('AnswerCache', () => {
  test('serves a stored answer until the TTL passes on the injected clock, then forgets it', async () => {
    const clock = fakeClock();
    const cache = new AnswerCache(900, 10, clock.now);
    await cache.share('k', async () => 'answer');
    expect(cache.get('k')).toEqual({ value: 'answer', fetchedAt: clock.now() });
    clock.advance(899_999);
    expect(cache.get('k')?.value).toBe('answer');
    clock.advance(2);
    expect(cache.get('k')).toBeUndefined();
  });

  test('keeps the fetch time of the answer, not of the lookup', async () => {
    const clock = fakeClock();
    const cache = new AnswerCache(60, 10, clock.now);
    const fetchedAt = clock.now();
    await cache.share('k', async () => 1);
    clock.advance(30_000);
    expect(cache.get('k')?.fetchedAt).toBe(fetchedAt);
  });

  test('stores nothing when the TTL is 0, but still shares identical in-flight requests', async () => {
    const cache = new AnswerCache(0, 10);
    const gate = deferred<string>();
    let fetches = 0;
    const fetch = () => {
      fetches++;
      return gate.promise;
    };
    const first = cache.share('k', fetch);
    const second = cache.share('k', fetch);
    gate.resolve('v');
    expect(await first).toMatchObject({ value: 'v', shared: false });
    expect(await second).toMatchObject({ value: 'v', shared: true });
    expect(fetches).toBe(1);
    expect(cache.get('k')).toBeUndefined();
  });

  test('evicts the least recently used entry beyond the size bound', async () => {
    const cache = new AnswerCache(900, 2);
    await cache.share('a', async () => 'A');
    await cache.share('b', async () => 'B');
    cache.get('a');
    await cache.share('c', async () => 'C');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.value).toBe('A');
    expect(cache.get('c')?.value).toBe('C');
  });

  test('never stores a failure: the next caller fetches again', async () => {
    const cache = new AnswerCache(900, 10);
    await expect(
      cache.share('k', async () => {
        throw new Error('throttled');
      }),
    ).rejects.toThrow('throttled');
    expect(cache.get('k')).toBeUndefined();
    expect(await cache.share('k', async () => 'ok')).toMatchObject({ value: 'ok', shared: false });
  });

  test('tells a waiter that the request it joined failed, so it can decide to ask again', async () => {
    const cache = new AnswerCache(900, 10);
    const gate = deferred<string>();
    const owner = cache.share('k', () => gate.promise);
    const waiter = cache.share('k', async () => 'never called');
    gate.reject(new Error('deadline of the owner'));
    await expect(owner).rejects.toThrow('deadline of the owner');
    const err = await waiter.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SharedRequestFailed);
    expect((err as SharedRequestFailed).cause).toEqual(new Error('deadline of the owner'));
  });

  test('lets a waiter stop at its own deadline while the shared request carries on for the others', async () => {
    const cache = new AnswerCache(900, 10);
    const gate = deferred<string>();
    const owner = cache.share('k', () => gate.promise);
    const controller = new AbortController();
    const waiter = cache.share('k', async () => 'never called', controller.signal);
    controller.abort(new Error('waiter deadline'));
    await expect(waiter).rejects.toThrow('waiter deadline');
    gate.resolve('late answer');
    expect((await owner).value).toBe('late answer');
    expect(cache.get('k')?.value).toBe('late answer');
  });
});

describe('cacheKey', () => {
  const key = (input: unknown, op = 'ce:GetCostAndUsage') => cacheKey('111111111111', 'us-east-1', op, input);

  test('ignores object key order and undefined fields', () => {
    expect(key({ A: 1, B: { C: 2, D: undefined } })).toBe(key({ B: { C: 2 }, A: 1 }));
  });

  test('treats And clauses, filter values and metrics in any order (or repeated) as the same request', () => {
    const a = {
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Metrics: ['UnblendedCost', 'AmortizedCost'],
      Filter: {
        And: [
          { Dimensions: { Key: 'SERVICE', Values: ['Amazon S3', 'AWS Lambda'] } },
          { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } },
        ],
      },
    };
    const b = {
      Filter: {
        And: [
          { Not: { Dimensions: { Values: ['Refund', 'Credit'], Key: 'RECORD_TYPE' } } },
          { Dimensions: { Key: 'SERVICE', Values: ['AWS Lambda', 'Amazon S3', 'AWS Lambda'] } },
        ],
      },
      Metrics: ['AmortizedCost', 'UnblendedCost'],
      TimePeriod: { End: '2026-11-01', Start: '2026-10-01' },
    };
    expect(key(a)).toBe(key(b));
  });

  test('keeps GroupBy order, which decides the order of the keys in every answered group', () => {
    const service = { Type: 'DIMENSION', Key: 'SERVICE' };
    const region = { Type: 'DIMENSION', Key: 'REGION' };
    expect(key({ GroupBy: [service, region] })).not.toBe(key({ GroupBy: [region, service] }));
  });

  test('keeps array order for services whose arrays may be ordered', () => {
    const op = 'pricing:GetProducts';
    expect(key({ Values: ['a', 'b'] }, op)).not.toBe(key({ Values: ['b', 'a'] }, op));
  });

  test('separates accounts, regions and operations', () => {
    const input = { TimePeriod: { Start: '2026-10-01', End: '2026-11-01' } };
    const keys = new Set([
      cacheKey('111111111111', 'us-east-1', 'ce:GetCostAndUsage', input),
      cacheKey('222222222222', 'us-east-1', 'ce:GetCostAndUsage', input),
      cacheKey('111111111111', 'eu-west-1', 'ce:GetCostAndUsage', input),
      cacheKey('111111111111', 'us-east-1', 'ce:GetCostForecast', input),
    ]);
    expect(keys.size).toBe(4);
  });
});

describe('AnswerCache size bound', () => {
  test('evicts by total entry size as well as by count, and never stores an answer larger than the budget', async () => {
    const answer = (n: number) => 'x'.repeat(n);
    // Room for two 400-character answers under one-letter keys, not three.
    const budget = 2 * entryBytes('a', answer(400)) + 100;
    const cache = new AnswerCache(900, 1000, Date.now, budget);
    await cache.share('a', async () => answer(400));
    await cache.share('b', async () => answer(400));
    await cache.share('c', async () => answer(400));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.bytes).toBe(2 * entryBytes('b', answer(400)));
    const big = await cache.share('big', async () => answer(budget));
    expect(big.value).toHaveLength(budget);
    expect(cache.get('big')).toBeUndefined();
  });

  test('counts the key of an entry as well as its answer', async () => {
    const cache = new AnswerCache(900, 1000);
    const key = `111111111111|us-east-1|ce:GetCostAndUsage|${'{"x":1}'.repeat(100)}`;
    await cache.share(key, async () => 'v');
    expect(cache.bytes).toBe(entryBytes(key, 'v'));
    // 800 more one-byte characters in the key: 800 more bytes against the budget.
    expect(entryBytes('k'.repeat(808), 'v') - entryBytes('k'.repeat(8), 'v')).toBe(800);
  });
});

describe('heapBytes', () => {
  // 64-bit V8: 16-byte string header, characters rounded up to 8 bytes; objects 24 bytes + at least four 8-byte
  // fields; arrays 48 bytes + 8 per element; doubles boxed in 16 bytes, small integers and booleans inline.
  test('counts strings by header and characters, two bytes per character beyond Latin-1', () => {
    expect(heapBytes('USD')).toBe(16 + 8);
    expect(heapBytes('2026-10-01')).toBe(16 + 16);
    expect(heapBytes('café')).toBe(16 + 8); // é is Latin-1: still one byte per character
    expect(heapBytes('€€€€€')).toBe(16 + 16); // 10 bytes, rounded up to 16
  });

  test('counts a metric value as AWS SDK answers hold it', () => {
    // {Amount, Unit}: 24 + 4 fields × 8, plus its two strings.
    expect(heapBytes({ Amount: '12.5000', Unit: 'USD' })).toBe(56 + 24 + 24);
  });

  test('counts arrays by element, numbers only when boxed, and shared constants not at all', () => {
    expect(heapBytes([])).toBe(48);
    expect(heapBytes(['a', 'b'])).toBe(48 + 16 + 24 + 24);
    expect(heapBytes([7, true, null, undefined])).toBe(48 + 32);
    expect(heapBytes([1.5])).toBe(48 + 8 + 16);
  });

  test('moves fields beyond the fourth to a separate property array', () => {
    const five = { a: 1, b: 2, c: 3, d: 4, e: 5 };
    expect(heapBytes(five)).toBe(24 + 5 * 8 + 16);
  });

  test('counts Dates and byte arrays, which the SDK answers with for timestamps and blobs', () => {
    expect(heapBytes(new Date(0))).toBe(80);
    expect(heapBytes(new Uint8Array(100))).toBe(24 + 64 + 100);
  });

  test('stops walking a cyclic value instead of recursing forever', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(heapBytes(a)).toBeGreaterThan(0);
  });

  test('stays close to the heap the cached answers really take (the budget is memory, not JSON length)', () => {
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'fixtures', 'cache-heap.ts')],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).toBe('');
    const { estimate, grown, json } = JSON.parse(run.stdout) as Record<string, number>;
    // Measured (Node 20): the estimate is 1.35× the real growth, the JSON length 0.41× of it.
    expect(estimate / grown).toBeGreaterThan(0.8);
    expect(estimate / grown).toBeLessThan(1.6);
    expect(json / grown).toBeLessThan(0.6);
  });
});
