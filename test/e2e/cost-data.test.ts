import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Decimal from 'decimal.js';
import {
  rankResourcesByEffectiveCost,
  DECOY_AMOUNT,
  MEMBER_A,
  PAYER,
  SAVINGS_PLAN,
  storageLensReports,
  writeFocusFixture,
  writeStorageLensFixture,
  type LineItem,
} from '../fixtures/cost-data';
import { startServer, textOf, useServer } from './harness';
import { FakeAws } from '../fake-aws/fake-aws';

// The duckdb engine end to end: the bundled server over the synthetic FOCUS 1.2 and Storage Lens exports, asked
// through the MCP SDK client. Expected figures are summed here from the fixture's line items with decimal.js.

const root = mkdtempSync(path.join(tmpdir(), 'billing-mcp-cost-data-'));
const exportDir = path.join(root, 'focus');
const lensDir = storageLensReports(path.join(root, 'lens'));
let items: LineItem[] = [];

// Registered before useServer's own beforeAll, so the data is on disk before the server starts.
beforeAll(async () => {
  items = await writeFocusFixture(exportDir);
  expect(await writeStorageLensFixture(path.join(root, 'lens'))).toBe(lensDir);
});

const { client, fake } = useServer({ COST_DATA_PATH: exportDir, STORAGE_LENS_PATH: lensDir });

type Metric = 'BilledCost' | 'EffectiveCost' | 'ListCost' | 'ContractedCost';

function expected(
  start: string,
  end: string,
  keep: (i: LineItem) => boolean = () => true,
  metric: Metric = 'BilledCost',
  credits = false,
  pool: readonly LineItem[] = items,
): string {
  return pool
    .filter((i) => i.ChargePeriodStart >= `${start} 00:00:00` && i.ChargePeriodStart < `${end} 00:00:00`)
    .filter((i) => credits || i.ChargeCategory !== 'Credit')
    .filter(keep)
    .reduce((s, i) => s.plus(i[metric]), new Decimal(0))
    .toFixed();
}

async function call(name: string, args: Record<string, unknown>) {
  const result = (await client().callTool({ name, arguments: args })) as CallToolResult;
  return { result, data: result.structuredContent as Record<string, any>, text: textOf(result) };
}

describe('query-cost-data (duckdb)', () => {
  test('October by service: exact decimal totals per service and overall', async () => {
    const { result, data, text } = await call('query-cost-data', {
      start_date: '2026-10-01',
      end_date: '2026-11-01',
      group_by: ['ServiceName'],
    });
    expect(result.isError).toBeFalsy();
    expect(data.engine).toBe('duckdb');
    expect(data.total.amount).toBe(expected('2026-10-01', '2026-11-01'));
    // By hand: Lambda is 0.0123 a day × (1+2+3) accounts × (1+2) regions × 31 days.
    const lambda = data.rows.find((r: { keys: string[] }) => r.keys[0] === 'AWS Lambda');
    expect(lambda.amount).toBe('6.8634');
    expect(lambda.line_items).toBe(String(3 * 2 * 31));
    expect(text).toContain('Credits excluded');
    expect(data.credits).toBe('excluded');
    expect(data.data_freshness.newest_charge_period_end).toBe('2026-11-01T00:00:00Z');
    expect(data.bytes_scanned).toBeGreaterThan(0);
  });

  test('reads only the billing periods of the range: the decoy filed under July is not counted', async () => {
    const october = await call('query-cost-data', { start_date: '2026-10-01', end_date: '2026-11-01' });
    expect(october.data.total.amount).toBe(expected('2026-10-01', '2026-11-01'));
    // Control: a range whose billing periods include July reads that partition, and the decoy (dated October) counts.
    const decoy = {
      ...items[0],
      ChargePeriodStart: '2026-10-15 00:00:00',
      BilledCost: DECOY_AMOUNT,
    } as LineItem;
    const withJuly = await call('query-cost-data', { start_date: '2026-07-01', end_date: '2026-11-01' });
    expect(withJuly.data.total.amount).toBe(
      expected('2026-07-01', '2026-11-01', () => true, 'BilledCost', false, [...items, decoy]),
    );
    expect(new Decimal(withJuly.data.total.amount).minus(october.data.total.amount).gte(DECOY_AMOUNT)).toBe(
      true,
    );
  });

  test('BilledCost carries the Savings Plan purchase, EffectiveCost its amortization', async () => {
    const args = { start_date: '2026-10-01', end_date: '2026-11-01', target_account_id: MEMBER_A };
    const billed = await call('query-cost-data', args);
    const effective = await call('query-cost-data', { ...args, metric: 'EffectiveCost' });
    const mine = (i: LineItem) => i.SubAccountId === MEMBER_A;
    expect(billed.data.total.amount).toBe(expected('2026-10-01', '2026-11-01', mine));
    expect(effective.data.total.amount).toBe(expected('2026-10-01', '2026-11-01', mine, 'EffectiveCost'));
    expect(new Decimal(billed.data.total.amount).minus(effective.data.total.amount).toFixed()).toBe(
      new Decimal(SAVINGS_PLAN.purchase).minus(new Decimal(SAVINGS_PLAN.daily).times(31)).toFixed(),
    );
  });

  test('credits are counted only when asked', async () => {
    const args = { start_date: '2026-09-01', end_date: '2026-10-01' };
    const without = await call('query-cost-data', args);
    const withCredits = await call('query-cost-data', { ...args, include_credits: true });
    expect(withCredits.data.credits).toBe('included');
    expect(withCredits.data.total.amount).toBe(
      expected('2026-09-01', '2026-10-01', () => true, 'BilledCost', true),
    );
    expect(new Decimal(without.data.total.amount).minus(withCredits.data.total.amount).toFixed()).toBe('15');
  });

  test("target_account_ids keeps the payer's own rows (SubAccountId, not LINKED_ACCOUNT)", async () => {
    const { data } = await call('query-cost-data', {
      start_date: '2026-10-01',
      end_date: '2026-11-01',
      target_account_ids: [PAYER],
      group_by: ['SubAccountId'],
    });
    expect(data.rows.map((r: { keys: string[] }) => r.keys)).toEqual([[PAYER]]);
    expect(data.total.amount).toBe(expected('2026-10-01', '2026-11-01', (i) => i.SubAccountId === PAYER));
  });

  test('tag groups and filters; "" stands for untagged', async () => {
    const { data } = await call('query-cost-data', {
      start_date: '2026-10-01',
      end_date: '2026-11-01',
      group_by: ['tag:team'],
      filters: [{ column: 'ServiceName', values: ['AWS Lambda'], exclude: true }],
    });
    const byTeam = Object.fromEntries(
      data.rows.map((r: { keys: string[]; amount: string }) => [r.keys[0], r.amount]),
    );
    const keep = (team: string | undefined) => (i: LineItem) =>
      i.ServiceName !== 'AWS Lambda' && i.Tags.team === team;
    expect(byTeam).toEqual({
      alpha: expected('2026-10-01', '2026-11-01', keep('alpha')),
      beta: expected('2026-10-01', '2026-11-01', keep('beta')),
      '': expected('2026-10-01', '2026-11-01', keep(undefined)),
    });
  });

  test('limit folds the rest into one row and the total stays exact', async () => {
    const { data } = await call('query-cost-data', {
      start_date: '2026-10-01',
      end_date: '2026-11-01',
      group_by: ['SubAccountId', 'ServiceName'],
      limit: 3,
    });
    expect(data.rows).toHaveLength(4);
    expect(data.rows[3].keys).toEqual([]);
    expect(data.rows[3].folded_groups).toBe(data.group_count - 3);
    expect(data.total.amount).toBe(expected('2026-10-01', '2026-11-01'));
    const amounts = data.rows.slice(0, 3).map((r: { amount: string }) => new Decimal(r.amount));
    expect(amounts[0].gte(amounts[1]) && amounts[1].gte(amounts[2])).toBe(true);
  });

  test('MONTHLY granularity gives one row per group and month', async () => {
    const { data } = await call('query-cost-data', {
      start_date: '2026-09-01',
      end_date: '2026-11-01',
      granularity: 'MONTHLY',
      group_by: ['RegionId'],
    });
    const cells = data.rows.map(
      (r: { keys: string[]; period: string; amount: string }) => `${r.keys[0]}|${r.period}|${r.amount}`,
    );
    const region = (r: string | null) => (i: LineItem) => i.RegionId === r;
    expect(cells.sort()).toEqual(
      [
        // September's only line items without a region are credits, excluded.
        `|2026-10-01|${expected('2026-10-01', '2026-11-01', region(null))}`,
        `eu-west-1|2026-09-01|${expected('2026-09-01', '2026-10-01', region('eu-west-1'))}`,
        `eu-west-1|2026-10-01|${expected('2026-10-01', '2026-11-01', region('eu-west-1'))}`,
        `us-east-1|2026-09-01|${expected('2026-09-01', '2026-10-01', region('us-east-1'))}`,
        `us-east-1|2026-10-01|${expected('2026-10-01', '2026-11-01', region('us-east-1'))}`,
      ].sort(),
    );
  });

  test.each([
    [{ group_by: ['BilledCost'] }, 'is not a column this server queries'],
    [{ group_by: ['ServiceName) --'] }, 'is not a column this server queries'],
    [{ group_by: ["tag:team'] = 'x' OR 1=1 --"] }, 'is not a tag key this server accepts'],
    [{ filters: [{ column: 'Tags', values: ['x'] }] }, 'is not a column this server queries'],
    [{ filters: [{ column: 'ChargeDescription', values: ['x'] }] }, 'is not a column this server queries'],
  ])('refuses a column or tag key outside the allow-list: %j', async (args, message) => {
    const { result, text } = await call('query-cost-data', { period: 'last_month', ...args });
    expect(result.isError).toBe(true);
    expect(text).toContain(message);
    expect(text).not.toMatch(/at .*\.js:\d+/);
  });

  test('a value with quotes is bound, not pasted: it matches nothing and breaks nothing', async () => {
    const { result, data } = await call('query-cost-data', {
      period: 'last_month',
      filters: [{ column: 'ServiceName', values: ["x' OR '1'='1"] }],
    });
    expect(result.isError).toBeFalsy();
    expect(data.total.amount).toBe('0');
    expect(data.notes.join(' ')).toContain('No line items match');
  });

  test('a month reads a fraction of the bytes of every month', async () => {
    const one = await call('query-cost-data', {
      start_date: '2026-10-01',
      end_date: '2026-11-01',
      refresh: true,
    });
    const all = await call('query-cost-data', {
      start_date: '2026-07-01',
      end_date: '2026-11-24',
      refresh: true,
    });
    expect(one.data.bytes_scanned).toBeGreaterThan(0);
    expect(one.data.bytes_scanned * 2).toBeLessThan(all.data.bytes_scanned);
    expect(one.data.from_cache).toBe(false);
    const again = await call('query-cost-data', { start_date: '2026-10-01', end_date: '2026-11-01' });
    expect(again.data.from_cache).toBe(true);
    expect(again.data.bytes_scanned).toBe(0);
  });

  test('never calls AWS', () => {
    expect(fake.calls.filter((c) => c.service !== 'sts')).toEqual([]);
  });
});

describe('get-top-resources (duckdb)', () => {
  test('the costliest resources of an account over three months, amortized', async () => {
    const { result, data } = await call('get-top-resources', {
      period: 'last_3_months',
      metric: 'EffectiveCost',
      target_account_id: MEMBER_A,
      limit: 3,
    });
    expect(result.isError).toBeFalsy();
    expect(data.range).toEqual({ start: '2026-08-01', end: '2026-11-01' });
    const ranked = rankResourcesByEffectiveCost(items, MEMBER_A, '2026-08-01', '2026-11-01');
    expect(
      data.resources.map((r: { resource_id: string; amount: string }) => [r.resource_id, r.amount]),
    ).toEqual(ranked.slice(0, 3).map(([k, v]) => [k, v.toFixed()]));
    expect(data.other_resources.count).toBe(ranked.length - 3);
    expect(data.total.amount).toBe(ranked.reduce((s, [, v]) => s.plus(v), new Decimal(0)).toFixed());
    expect(data.resources[0].account_id).toBe(MEMBER_A);
  });
});

describe('get-storage-metrics (duckdb)', () => {
  test('bytes per bucket on the newest report date, growth since the oldest, ACCOUNT records not added', async () => {
    const { result, data, text } = await call('get-storage-metrics', {});
    expect(result.isError).toBeFalsy();
    expect(data.report_date).toBe('2026-11-23');
    expect(data.compare_date).toBe('2026-11-20');
    const logs = data.rows.find((r: { key: string }) => r.key === 'logs-payer');
    // STANDARD 5,000,000 + GLACIER 20,000,000, each growing 1,000 bytes a day for three days.
    expect(logs.storage_bytes).toBe('25006000');
    expect(logs.growth_bytes).toBe('6000');
    expect(logs.incomplete_multipart_upload_bytes).toBe('2048');
    expect(data.total.storage_bytes).toBe(String(25_006_000 + 3_003_000 + 7_003_000));
    expect(text).toContain('incomplete multipart uploads');
  });

  test('by storage class for one account, against an explicit date', async () => {
    const { data } = await call('get-storage-metrics', {
      group_by: 'storage_class',
      target_account_id: PAYER,
      date: '2026-11-22',
      compare_date: '2026-11-21',
    });
    expect(
      data.rows.map((r: { key: string; storage_bytes: string; growth_bytes: string }) => [
        r.key,
        r.storage_bytes,
        r.growth_bytes,
      ]),
    ).toEqual([
      ['GLACIER', '20002000', '1000'],
      ['STANDARD', '5002000', '1000'],
    ]);
  });
});

describe('without cost data configured', () => {
  const bare = new FakeAws();
  afterAll(() => bare.stop());
  test('each tool says how to enable it', async () => {
    await bare.start();
    const server = await startServer(bare);
    try {
      const c = await server.client();
      for (const [name, words] of [
        ['query-cost-data', 'COST_DATA_PATH'],
        ['get-top-resources', 'costDataExport=true'],
        ['get-storage-metrics', 'STORAGE_LENS_PATH'],
      ]) {
        const result = (await c.callTool({ name, arguments: {} })) as CallToolResult;
        expect(result.isError).toBe(true);
        expect(textOf(result)).toContain(words);
      }
    } finally {
      await server.stop();
    }
  });
});
