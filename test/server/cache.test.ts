import { AnswerCache, cacheKey, SharedRequestFailed } from '../../server/src/aws/cache';

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
  test('evicts by total answer size as well as by count, and never stores an answer larger than the budget', async () => {
    // Budget 100 bytes of JSON: two 40-byte answers fit, a third evicts the oldest, a 200-byte one is not kept.
    const cache = new AnswerCache(900, 1000, Date.now, 100);
    const answer = (n: number) => 'x'.repeat(n - 2); // JSON adds the two quotes
    await cache.share('a', async () => answer(40));
    await cache.share('b', async () => answer(40));
    await cache.share('c', async () => answer(40));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    const big = await cache.share('big', async () => answer(200));
    expect(big.value).toHaveLength(198);
    expect(cache.get('big')).toBeUndefined();
  });
});
