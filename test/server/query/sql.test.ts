import { athenaLiteral } from '../../../server/src/query/athena';
import {
  billingPeriods,
  costQuery,
  parseDimension,
  probeQuery,
  storageQuery,
  topResourcesQuery,
} from '../../../server/src/query/sql';
import { substitute } from '../../fake-aws/fake-athena';

const scope = {
  range: { start: '2026-09-15', end: '2026-11-02' },
  filters: [{ column: 'tag:team', values: ['alpha'] }],
  accountIds: ['222222222222'],
  includeCredits: false,
};

test('the billing periods of a range are the months it touches, end exclusive', () => {
  expect(billingPeriods({ start: '2026-09-15', end: '2026-11-02' })).toEqual([
    '2026-09',
    '2026-10',
    '2026-11',
  ]);
  expect(billingPeriods({ start: '2026-10-01', end: '2026-11-01' })).toEqual(['2026-10']);
  expect(billingPeriods({ start: '2025-12-31', end: '2026-01-02' })).toEqual(['2025-12', '2026-01']);
});

test('every query carries the partition predicate with one bound value per billing period', () => {
  for (const q of [
    costQuery({ ...scope, metric: 'BilledCost', groupBy: [], granularity: 'NONE', limit: 5 }),
    costQuery({
      ...scope,
      metric: 'EffectiveCost',
      groupBy: [parseDimension('ServiceName', 'g')],
      granularity: 'DAILY',
      limit: 5,
    }),
    topResourcesQuery({ ...scope, metric: 'ListCost', limit: 5 }),
    probeQuery(['2026-09', '2026-10', '2026-11']),
  ]) {
    expect(q.sql).toContain('billing_period IN (?, ?, ?)');
    expect(q.partitions).toEqual(['2026-09', '2026-10', '2026-11']);
    expect(q.params.filter((p) => /^\d{4}-\d{2}$/.test(String(p.value))).map((p) => p.value)).toEqual(
      q.partitions,
    );
  }
  expect(
    storageQuery({ dates: ['2026-11-23'], groupBy: 'bucket', accountIds: [], buckets: [] }).sql,
  ).toContain('dt IN (?)');
});

test('a query reads only the columns it needs, and no value appears in its text', () => {
  const q = costQuery({
    ...scope,
    metric: 'BilledCost',
    groupBy: [parseDimension('RegionId', 'g')],
    granularity: 'NONE',
    limit: 5,
  });
  expect(q.columns).toEqual([
    'BilledCost',
    'ChargeCategory',
    'ChargePeriodEnd',
    'ChargePeriodStart',
    'RegionId',
    'SubAccountId',
    'Tags',
  ]);
  expect(q.sql).not.toContain('SELECT *');
  expect(q.sql).not.toMatch(/alpha|222222222222|team|Credit'/);
  expect(q.sql).toContain('CAST(BilledCost AS DECIMAL(38,10))');
});

test('columns outside the allow-list and malformed tag keys are refused', () => {
  expect(() => parseDimension('ServiceName', 'g')).not.toThrow();
  expect(() => parseDimension('tag:aws:createdBy', 'g')).not.toThrow();
  expect(() => parseDimension('servicename', 'g')).toThrow('is not a column');
  expect(() => parseDimension('BilledCost', 'g')).toThrow('is not a column');
  expect(() => parseDimension("tag:x'] OR 1=1 --", 'g')).toThrow('is not a tag key');
  expect(() => parseDimension('tag:', 'g')).toThrow('is not a tag key');
});

test('an Athena parameter is a literal with its quotes doubled, so it cannot leave its string', () => {
  const hostile = "x' OR '1'='1";
  expect(athenaLiteral({ kind: 'string', value: hostile })).toBe("'x'' OR ''1''=''1'");
  expect(athenaLiteral({ kind: 'integer', value: 25 })).toBe('25');
  expect(() => athenaLiteral({ kind: 'integer', value: 1.5 })).toThrow();
  const safe = substitute('SELECT 1 WHERE a = ?', [athenaLiteral({ kind: 'string', value: hostile })]);
  expect(safe).toBe("SELECT 1 WHERE a = 'x'' OR ''1''=''1'");
  // Control: pasted without doubling, the same value ends the literal and becomes SQL.
  expect(substitute('SELECT 1 WHERE a = ?', [`'${hostile}'`])).toBe("SELECT 1 WHERE a = 'x' OR '1'='1'");
});

test('the "no data" probe reads only the given accounts, bound, and every account without any', () => {
  const scoped = probeQuery(['2026-10'], ['222222222222', '333333333333']);
  expect(scoped.sql).toContain('SubAccountId IN (?, ?)');
  expect(scoped.sql).not.toContain('222222222222');
  expect(scoped.params.map((p) => p.value)).toEqual(['2026-10', '222222222222', '333333333333']);
  expect(scoped.columns).toContain('SubAccountId');
  // Control: no accounts, no account predicate (the unrestricted caller's view of the data).
  const everyone = probeQuery(['2026-10']);
  expect(everyone.sql).not.toContain('SubAccountId');
  expect(everyone.params.map((p) => p.value)).toEqual(['2026-10']);
});
