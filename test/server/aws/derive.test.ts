import type { CachedAnswer } from '../../../server/src/aws/cache';
import { DerivationIndex } from '../../../server/src/aws/derive';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const COSTS = 'ce:GetCostAndUsage';
const ANOMALIES = 'ce:GetAnomalies';
const SERVICE = [{ Type: 'DIMENSION', Key: 'SERVICE' }];
const NO_CREDITS = { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } };

/** A tiny cache: what the index derives from is whatever `stored` holds under a key. */
function setup(maxEntries = 100) {
  const index = new DerivationIndex(maxEntries);
  const stored = new Map<string, CachedAnswer>();
  let n = 0;
  const store = (operation: string, input: unknown, value: unknown, fetchedAt = 1000, account = ACCOUNT) => {
    const key = `k${n++}`;
    stored.set(key, { value, fetchedAt });
    index.remember(key, account, REGION, operation, input, value);
    return key;
  };
  const derive = (operation: string, input: unknown, account = ACCOUNT, region = REGION) =>
    index.derive(account, region, operation, input, (k) => stored.get(k));
  return { index, stored, store, derive };
}

const request = (start: string, end: string, extra: Record<string, unknown> = {}) => ({
  TimePeriod: { Start: start, End: end },
  Granularity: 'MONTHLY',
  Metrics: ['UnblendedCost'],
  Filter: NO_CREDITS,
  ...extra,
});

const usd = (amount: string, metric = 'UnblendedCost') => ({ [metric]: { Amount: amount, Unit: 'USD' } });
const grouped = (start: string, end: string, groups: [string, Record<string, unknown>][]) => ({
  TimePeriod: { Start: start, End: end },
  Estimated: false,
  Total: {},
  Groups: groups.map(([key, metrics]) => ({ Keys: [key], Metrics: metrics })),
});

describe('DerivationIndex: GetCostAndUsage', () => {
  test('takes a run of whole MONTHLY buckets from a range cut at each 1st, and nothing off those edges', () => {
    const { store, derive } = setup();
    const buckets = [
      grouped('2026-07-15', '2026-08-01', [['EC2', usd('1')]]),
      grouped('2026-08-01', '2026-09-01', [['EC2', usd('2')]]),
      grouped('2026-09-01', '2026-09-20', [['EC2', usd('3')]]),
    ];
    store(COSTS, request('2026-07-15', '2026-09-20', { GroupBy: SERVICE }), { ResultsByTime: buckets });
    const slice = (start: string, end: string) => derive(COSTS, request(start, end, { GroupBy: SERVICE }));
    expect(slice('2026-08-01', '2026-09-20')?.value).toEqual({
      ResultsByTime: [buckets[1], buckets[2]],
      DimensionValueAttributes: [],
    });
    expect(slice('2026-07-15', '2026-08-01')?.value).toMatchObject({ ResultsByTime: [buckets[0]] });
    expect(slice('2026-08-01', '2026-09-01')?.fetchedAt).toBe(1000);
    expect(slice('2026-07-20', '2026-08-01')).toBeUndefined();
    expect(slice('2026-08-01', '2026-09-10')).toBeUndefined();
    expect(slice('2026-07-01', '2026-08-01')).toBeUndefined();
  });

  test('does not slice a MONTHLY answer that is not cut at each 1st', () => {
    const { store, derive } = setup();
    // One bucket for three months: not what Cost Explorer answers, so not something to cut.
    store(COSTS, request('2026-06-01', '2026-09-01', { GroupBy: SERVICE }), {
      ResultsByTime: [grouped('2026-06-01', '2026-09-01', [['EC2', usd('9')]])],
    });
    expect(derive(COSTS, request('2026-06-01', '2026-07-01', { GroupBy: SERVICE }))).toBeUndefined();
  });

  test('adds up an ungrouped cost total from the groups, exactly, for a subset of the metrics asked', () => {
    const { store, derive } = setup();
    const metrics = (u: string, a: string) => ({ ...usd(u), ...usd(a, 'AmortizedCost') });
    store(
      COSTS,
      request('2026-10-01', '2026-11-01', { GroupBy: SERVICE, Metrics: ['AmortizedCost', 'UnblendedCost'] }),
      {
        ResultsByTime: [
          {
            ...grouped('2026-10-01', '2026-11-01', [
              ['EC2', metrics('0.1000000001', '5')],
              ['S3', metrics('0.2', '6')],
              ['Tax', metrics('-0.0000000002', '0')],
            ]),
            Estimated: true,
          },
        ],
      },
    );
    expect(derive(COSTS, request('2026-10-01', '2026-11-01'))?.value).toEqual({
      ResultsByTime: [
        {
          TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
          Estimated: true,
          // 0.1000000001 + 0.2 − 0.0000000002
          Total: { UnblendedCost: { Amount: '0.2999999999', Unit: 'USD' } },
          Groups: [],
        },
      ],
      DimensionValueAttributes: [],
    });
    // The same groups with fewer metrics: which groups AWS lists might differ, so not derived.
    expect(derive(COSTS, request('2026-10-01', '2026-11-01', { GroupBy: SERVICE }))).toBeUndefined();
  });

  test('never adds up usage quantities, and not a total whose unit no group shows', () => {
    const { store, derive } = setup();
    const usage = { UsageQuantity: { Amount: '720', Unit: 'Hrs' } };
    store(COSTS, request('2026-09-01', '2026-10-01', { GroupBy: SERVICE, Metrics: ['UsageQuantity'] }), {
      ResultsByTime: [grouped('2026-09-01', '2026-10-01', [['EC2', usage]])],
    });
    expect(
      derive(COSTS, request('2026-09-01', '2026-10-01', { Metrics: ['UsageQuantity'] })),
    ).toBeUndefined();

    store(COSTS, request('2026-08-01', '2026-09-01', { GroupBy: SERVICE }), {
      ResultsByTime: [grouped('2026-08-01', '2026-09-01', [])],
    });
    expect(derive(COSTS, request('2026-08-01', '2026-09-01'))).toBeUndefined();
  });

  test('refuses an amount it cannot read exactly', () => {
    const { store, derive } = setup();
    store(COSTS, request('2026-09-01', '2026-10-01', { GroupBy: SERVICE }), {
      ResultsByTime: [grouped('2026-09-01', '2026-10-01', [['EC2', usd('12,5')]])],
    });
    expect(derive(COSTS, request('2026-09-01', '2026-10-01'))).toBeUndefined();
  });

  test('matches filters written in another order, and keeps accounts, regions, filters and granularities apart', () => {
    const { store, derive } = setup();
    const s3 = { Dimensions: { Key: 'SERVICE', Values: ['Amazon S3', 'AWS Lambda'] } };
    store(
      COSTS,
      request('2026-09-01', '2026-10-01', { GroupBy: SERVICE, Filter: { And: [s3, NO_CREDITS] } }),
      { ResultsByTime: [grouped('2026-09-01', '2026-10-01', [['S3', usd('1')]])] },
    );
    const reordered = {
      And: [NO_CREDITS, { Dimensions: { Key: 'SERVICE', Values: ['AWS Lambda', 'Amazon S3'] } }],
    };
    expect(derive(COSTS, request('2026-09-01', '2026-10-01', { Filter: reordered }))).toBeDefined();
    expect(
      derive(COSTS, request('2026-09-01', '2026-10-01', { Filter: reordered }), '222222222222'),
    ).toBeUndefined();
    expect(
      derive(COSTS, request('2026-09-01', '2026-10-01', { Filter: reordered }), ACCOUNT, 'eu-west-1'),
    ).toBeUndefined();
    expect(derive(COSTS, request('2026-09-01', '2026-10-01'))).toBeUndefined();
    expect(
      derive(COSTS, request('2026-09-01', '2026-10-01', { Filter: reordered, Granularity: 'DAILY' })),
    ).toBeUndefined();
  });

  test('never indexes an answer with more pages, nor answers a page request', () => {
    const { index, store, derive } = setup();
    store(COSTS, request('2026-09-01', '2026-10-01', { GroupBy: SERVICE }), {
      ResultsByTime: [grouped('2026-09-01', '2026-10-01', [['EC2', usd('1')]])],
      NextPageToken: 'more',
    });
    expect(index.size).toBe(0);
    store(COSTS, request('2026-08-01', '2026-09-01', { GroupBy: SERVICE }), {
      ResultsByTime: [grouped('2026-08-01', '2026-09-01', [['EC2', usd('1')]])],
    });
    expect(derive(COSTS, request('2026-08-01', '2026-09-01', { NextPageToken: 'x' }))).toBeUndefined();
  });

  test('uses the newest answer that serves, and forgets one the cache no longer holds', () => {
    const { index, stored, store, derive } = setup();
    const answer = (amount: string) => ({
      ResultsByTime: [grouped('2026-09-01', '2026-10-01', [['EC2', usd(amount)]])],
    });
    store(COSTS, request('2026-09-01', '2026-10-01', { GroupBy: SERVICE }), answer('1'), 1000);
    const newer = store(
      COSTS,
      request('2026-09-01', '2026-10-01', { GroupBy: [{ Type: 'DIMENSION', Key: 'REGION' }] }),
      answer('1'),
      2000,
    );
    expect(derive(COSTS, request('2026-09-01', '2026-10-01'))?.fetchedAt).toBe(2000);
    stored.delete(newer);
    expect(derive(COSTS, request('2026-09-01', '2026-10-01'))?.fetchedAt).toBe(1000);
    expect(index.size).toBe(1);
  });

  test('stays within its entry bound', () => {
    const { index, store } = setup(2);
    for (const month of ['01', '02', '03']) {
      store(COSTS, request(`2026-${month}-01`, `2026-${month}-02`, { Granularity: 'DAILY' }), {
        ResultsByTime: [],
      });
    }
    expect(index.size).toBe(2);
  });
});

describe('DerivationIndex: GetAnomalies', () => {
  const window = (start: string, end: string, extra: Record<string, unknown> = {}) => ({
    DateInterval: { StartDate: start, EndDate: end },
    ...extra,
  });
  const anomaly = (id: string, end?: string) => ({
    AnomalyId: id,
    ...(end ? { AnomalyEndDate: `${end}T00:00:00Z` } : {}),
  });

  test('keeps the stored anomalies whose end date falls in the narrower window, both ends inclusive', () => {
    const { store, derive } = setup();
    store(ANOMALIES, window('2026-10-25', '2026-11-24'), {
      Anomalies: [anomaly('a', '2026-10-25'), anomaly('b', '2026-11-23'), anomaly('c', '2026-11-24')],
    });
    expect(derive(ANOMALIES, window('2026-10-25', '2026-11-23'))?.value).toEqual({
      Anomalies: [anomaly('a', '2026-10-25'), anomaly('b', '2026-11-23')],
    });
    expect(derive(ANOMALIES, window('2026-10-24', '2026-11-23'))).toBeUndefined();
  });

  test('refuses when an anomaly has no end date, the request sets MaxResults or filters differently', () => {
    const { store, derive } = setup();
    store(ANOMALIES, window('2026-10-01', '2026-10-31'), { Anomalies: [anomaly('a')] });
    expect(derive(ANOMALIES, window('2026-10-01', '2026-10-30'))).toBeUndefined();
    store(ANOMALIES, window('2026-09-01', '2026-09-30'), { Anomalies: [anomaly('b', '2026-09-10')] });
    expect(derive(ANOMALIES, window('2026-09-01', '2026-09-20', { MaxResults: 5 }))).toBeUndefined();
    expect(derive(ANOMALIES, window('2026-09-01', '2026-09-20', { Feedback: 'YES' }))).toBeUndefined();
    expect(derive(ANOMALIES, window('2026-09-01', '2026-09-20'))?.value).toEqual({
      Anomalies: [anomaly('b', '2026-09-10')],
    });
  });
});
