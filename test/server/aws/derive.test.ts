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

  test('copies the ungrouped Totals of the buckets asked, for a subset of the metrics asked', () => {
    const { store, derive } = setup();
    const both = (u: string, a: string) => ({ ...usd(u), ...usd(a, 'AmortizedCost') });
    const september = { TimePeriod: { Start: '2026-09-01', End: '2026-10-01' }, Estimated: false };
    const october = { TimePeriod: { Start: '2026-10-01', End: '2026-11-01' }, Estimated: true };
    store(COSTS, request('2026-09-01', '2026-11-01', { Metrics: ['AmortizedCost', 'UnblendedCost'] }), {
      ResultsByTime: [
        { ...september, Total: both('7.1000000001', '8') },
        { ...october, Total: both('12414.7659876531', '9') },
      ],
    });
    expect(derive(COSTS, request('2026-10-01', '2026-11-01'))?.value).toEqual({
      ResultsByTime: [{ ...october, Total: usd('12414.7659876531') }],
      DimensionValueAttributes: [],
    });
    // Negative control: a metric the stored answer never asked for is not invented.
    expect(derive(COSTS, request('2026-10-01', '2026-11-01', { Metrics: ['BlendedCost'] }))).toBeUndefined();
  });

  test('never derives an ungrouped Total from the groups of a grouped answer', () => {
    const { store, derive } = setup();
    // Cost Explorer leaves Total empty beside the groups; their sum (12414.765987654) is not its figure for the
    // month (12414.7659876531), so the month's total is asked, not added up.
    store(COSTS, request('2026-10-01', '2026-11-01', { GroupBy: SERVICE }), {
      ResultsByTime: [
        grouped('2026-10-01', '2026-11-01', [
          ['EC2', usd('12000.123456789')],
          ['S3', usd('414.642530865')],
        ]),
      ],
    });
    expect(derive(COSTS, request('2026-10-01', '2026-11-01'))).toBeUndefined();
    // Not even when the grouped answer carries a Total: one rule, whatever the answer holds.
    store(COSTS, request('2026-09-01', '2026-10-01', { GroupBy: SERVICE }), {
      ResultsByTime: [{ ...grouped('2026-09-01', '2026-10-01', [['EC2', usd('1')]]), Total: usd('1') }],
    });
    expect(derive(COSTS, request('2026-09-01', '2026-10-01'))).toBeUndefined();
    // Negative control: the same month from an ungrouped answer is derived.
    store(COSTS, request('2026-10-01', '2026-11-01'), {
      ResultsByTime: [
        { TimePeriod: { Start: '2026-10-01', End: '2026-11-01' }, Total: usd('12414.7659876531') },
      ],
    });
    expect(derive(COSTS, request('2026-10-01', '2026-11-01'))?.value).toMatchObject({
      ResultsByTime: [{ Total: usd('12414.7659876531') }],
    });
  });

  test('never answers a MONTHLY request from DAILY buckets, nor a longer DAILY bucket from days', () => {
    const { store, derive } = setup();
    const days = ['2026-10-01', '2026-10-02', '2026-10-03'].map((day, i) => ({
      TimePeriod: { Start: day, End: `2026-10-0${i + 2}` },
      Total: usd('1.0000000001'),
    }));
    store(COSTS, request('2026-10-01', '2026-10-04', { Granularity: 'DAILY' }), { ResultsByTime: days });
    // The month's figure over those days is Cost Explorer's, not 3.0000000003.
    expect(derive(COSTS, request('2026-10-01', '2026-10-04'))).toBeUndefined();
    // Negative control: a run of those days, DAILY, is copied day by day.
    expect(derive(COSTS, request('2026-10-02', '2026-10-04', { Granularity: 'DAILY' }))?.value).toMatchObject(
      { ResultsByTime: [days[1], days[2]] },
    );
  });

  test('never answers part of a MONTHLY bucket, nor a month from a bucket of another length', () => {
    const { store, derive } = setup();
    store(COSTS, request('2026-10-01', '2026-11-25'), {
      ResultsByTime: [
        { TimePeriod: { Start: '2026-10-01', End: '2026-11-01' }, Total: usd('31') },
        { TimePeriod: { Start: '2026-11-01', End: '2026-11-25' }, Total: usd('24') },
      ],
    });
    // 1 to 24 November is not the bucket 1 to 25 November; nor is the first half of October.
    expect(derive(COSTS, request('2026-11-01', '2026-11-24'))).toBeUndefined();
    expect(derive(COSTS, request('2026-10-01', '2026-10-16'))).toBeUndefined();
    // Negative control: each whole bucket is its own answer.
    expect(derive(COSTS, request('2026-11-01', '2026-11-25'))?.value).toMatchObject({
      ResultsByTime: [{ Total: usd('24') }],
    });
  });

  test('matches filters written in another order, and keeps accounts, regions, filters and granularities apart', () => {
    const { store, derive } = setup();
    const s3 = { Dimensions: { Key: 'SERVICE', Values: ['Amazon S3', 'AWS Lambda'] } };
    store(COSTS, request('2026-09-01', '2026-10-01', { Filter: { And: [s3, NO_CREDITS] } }), {
      ResultsByTime: [{ TimePeriod: { Start: '2026-09-01', End: '2026-10-01' }, Total: usd('1') }],
    });
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
      ResultsByTime: [{ TimePeriod: { Start: '2026-09-01', End: '2026-10-01' }, Total: usd(amount) }],
    });
    const august = { TimePeriod: { Start: '2026-08-01', End: '2026-09-01' }, Total: usd('2') };
    const older = answer('1');
    store(
      COSTS,
      request('2026-08-01', '2026-10-01'),
      { ResultsByTime: [august, ...older.ResultsByTime] },
      1000,
    );
    const newer = store(COSTS, request('2026-09-01', '2026-10-01'), answer('1'), 2000);
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
