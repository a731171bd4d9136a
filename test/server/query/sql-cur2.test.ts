import { DuckDBInstance, BIGINT, VARCHAR } from '@duckdb/node-api';
import { TABLE_TOKEN, type BuiltQuery } from '../../../server/src/query/engine';
import { costQuery, parseDimension, probeQuery, topResourcesQuery } from '../../../server/src/query/sql';

// The CUR 2.0 side of the SQL builder: what it reads and binds, and its amortized cost run through DuckDB over line
// items of every kind AWS's amortization treats apart, against figures worked out by hand.

const scope = {
  range: { start: '2026-10-01', end: '2026-11-01' },
  filters: [{ column: 'tag:team', values: ['alpha'] }],
  accountIds: ['222222222222'],
  includeCredits: false,
  schema: 'cur2' as const,
};

test('a CUR 2.0 query reads CUR 2.0 columns only, with every value bound and the partition predicate', () => {
  const q = costQuery({
    ...scope,
    metric: 'BilledCost',
    groupBy: [parseDimension('ServiceName', 'g', 'cur2'), parseDimension('RegionId', 'g', 'cur2')],
    granularity: 'DAILY',
    limit: 5,
  });
  expect(q.columns).toEqual([
    'line_item_line_item_type',
    'line_item_unblended_cost',
    'line_item_usage_account_id',
    'line_item_usage_end_date',
    'line_item_usage_start_date',
    'product',
    'product_region_code',
    'resource_tags',
  ]);
  expect(q.sql).toContain('billing_period IN (?)');
  expect(q.sql).toContain("TRY(product['product_name'])");
  expect(q.sql).toContain('CAST(line_item_unblended_cost AS DECIMAL(38,10))');
  expect(q.sql).toContain('line_item_line_item_type <> ?');
  expect(q.sql).not.toMatch(/alpha|222222222222|user_team|'Credit'/);
  expect(q.params.map((p) => p.value)).toEqual(
    expect.arrayContaining(['2026-10', 'Credit', '222222222222', 'user_team', 'alpha']),
  );
  // Control: the same question on the FOCUS table reads FOCUS columns and none of CUR 2.0's.
  const focus = costQuery({
    ...scope,
    schema: 'focus',
    metric: 'BilledCost',
    groupBy: [],
    granularity: 'NONE',
    limit: 5,
  });
  expect(focus.columns).toContain('BilledCost');
  expect(focus.sql).not.toMatch(/line_item_|resource_tags/);
});

test('the "no data" probe and the resource ranking use the CUR 2.0 names too', () => {
  const probe = probeQuery(['2026-10'], ['222222222222'], 'cur2');
  expect(probe.columns).toEqual([
    'line_item_usage_account_id',
    'line_item_usage_end_date',
    'line_item_usage_start_date',
  ]);
  const top = topResourcesQuery({ ...scope, metric: 'ListCost', limit: 5 });
  expect(top.columns).toContain('line_item_resource_id');
  expect(top.columns).toContain('pricing_public_on_demand_cost');
  expect(top.sql).toContain('CAST(NULL AS VARCHAR) AS ResourceName');
  expect(top.columns.filter((c) => /^[A-Z]/.test(c))).toEqual([]);
});

test.each([
  [
    'ServiceCategory',
    () => parseDimension('ServiceCategory', 'group_by[1]', 'cur2'),
    'group_by[1]: ServiceCategory',
  ],
  [
    'ContractedCost',
    () => costQuery({ ...scope, metric: 'ContractedCost', groupBy: [], granularity: 'NONE', limit: 5 }),
    'metric: ContractedCost',
  ],
])('refuses %s on CUR 2.0, naming it and the schema, and lists what it can read', (_, build, named) => {
  expect(build).toThrow(
    `${named} has no equivalent in the CUR 2.0 table this server reads (COST_DATA_SCHEMA=cur2)`,
  );
  expect(build).toThrow(/Use .*(ServiceName|BilledCost, EffectiveCost, ListCost)/);
});

test('refusals are CUR 2.0 only: FOCUS takes the same names', () => {
  expect(() => parseDimension('ServiceCategory', 'g')).not.toThrow();
  expect(() =>
    costQuery({
      ...scope,
      schema: 'focus',
      metric: 'ContractedCost',
      groupBy: [],
      granularity: 'NONE',
      limit: 5,
    }),
  ).not.toThrow();
});

/** Line items of each kind, with the amortized cost AWS's CUR query library gives each (worked out by hand). */
const LINES = [
  // type, unblended, sp effective, sp total commitment, sp used, ri effective, ri unused upfront, ri unused recurring, ri arn, amortized
  ['Usage', '1.25', null, null, null, null, null, null, null, '1.25'],
  ['SavingsPlanCoveredUsage', '14', '10', null, null, null, null, null, null, '10'],
  ['SavingsPlanNegation', '-14', null, null, null, null, null, null, null, '0'],
  ['SavingsPlanUpfrontFee', '310', null, null, null, null, null, null, null, '0'],
  // Unused commitment: $24 committed, $21.5 of it used.
  ['SavingsPlanRecurringFee', '24', null, '24', '21.5', null, null, null, null, '2.5'],
  ['DiscountedUsage', '0', null, null, null, '0.125', null, null, 'arn:ri', '0.125'],
  // The reservation's unused hours: its unused upfront share and unused recurring fee.
  ['RIFee', '7', null, null, null, null, '0.75', '1.5', 'arn:ri', '2.25'],
  // The reservation's upfront payment is amortized into the lines above; any other fee is billed as is.
  ['Fee', '900', null, null, null, null, null, null, 'arn:ri', '0'],
  ['Fee', '3.3', null, null, null, null, null, null, null, '3.3'],
  ['Credit', '-5', null, null, null, null, null, null, null, '-5'],
] as const;

async function runOnDuckDb(query: BuiltQuery): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(
      `CREATE TABLE cur (billing_period VARCHAR, line_item_line_item_type VARCHAR, line_item_unblended_cost DOUBLE,
        savings_plan_savings_plan_effective_cost DOUBLE, savings_plan_total_commitment_to_date DOUBLE,
        savings_plan_used_commitment DOUBLE, reservation_effective_cost DOUBLE,
        reservation_unused_amortized_upfront_fee_for_billing_period DOUBLE, reservation_unused_recurring_fee DOUBLE,
        reservation_reservation_a_r_n VARCHAR, line_item_usage_start_date TIMESTAMP, line_item_usage_end_date TIMESTAMP,
        line_item_usage_account_id VARCHAR, resource_tags MAP(VARCHAR, VARCHAR), product MAP(VARCHAR, VARCHAR))`,
    );
    for (const line of LINES) {
      await connection.run(
        `INSERT INTO cur VALUES ('2026-10', ?, ?, ?, ?, ?, ?, ?, ?, ?, TIMESTAMP '2026-10-05', TIMESTAMP '2026-10-06', ` +
          `'222222222222', MAP {'user_team': 'alpha'}, MAP {'product_name': ?})`,
        [...line.slice(0, 9), line[0]] as (string | null)[],
      );
    }
    const reader = await connection.runAndReadAll(
      query.sql.split(TABLE_TOKEN).join('cur'),
      query.params.map((p) => p.value),
      query.params.map((p) => (p.kind === 'integer' ? BIGINT : VARCHAR)),
    );
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

test('EffectiveCost on CUR 2.0 is the amortized cost of each kind of line item, exact', async () => {
  const rows = await runOnDuckDb(
    costQuery({
      ...scope,
      includeCredits: true,
      metric: 'EffectiveCost',
      // ServiceName is the line item type here, so each kind is its own group.
      groupBy: [parseDimension('ServiceName', 'g', 'cur2')],
      granularity: 'NONE',
      limit: 100,
    }),
  );
  const byType = Object.fromEntries(rows.map((r) => [r.g0, Number(r.amount).toString()]));
  const expected: Record<string, string> = {};
  for (const line of LINES) {
    expected[line[0]] = (Number(expected[line[0]] ?? 0) + Number(line[9])).toString();
  }
  expect(byType).toEqual(expected);
  // Control: BilledCost over the same lines is their unblended sum, which amortization changes.
  const billed = await runOnDuckDb(
    costQuery({
      ...scope,
      includeCredits: true,
      metric: 'BilledCost',
      groupBy: [],
      granularity: 'NONE',
      limit: 5,
    }),
  );
  expect(billed[0].amount).toBe('1240.5500000000');
  const amortized = await runOnDuckDb(
    costQuery({
      ...scope,
      includeCredits: true,
      metric: 'EffectiveCost',
      groupBy: [],
      granularity: 'NONE',
      limit: 5,
    }),
  );
  expect(amortized[0].amount).toBe('14.4250000000');
});
