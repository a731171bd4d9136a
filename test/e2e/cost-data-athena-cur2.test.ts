import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Decimal from 'decimal.js';
import { MEMBER_A, writeCur2Fixture, type LineItem } from '../fixtures/cost-data';
import { FakeAthena } from '../fake-aws/fake-athena';
import { textOf, useServer } from './harness';

// An existing CUR 2.0 table through the athena engine (what costDataTable with costDataSchema=cur2 deploys): the
// bundled server, its real Athena client, and the fake Athena running the received SQL with its ExecutionParameters.

const root = mkdtempSync(path.join(tmpdir(), 'billing-mcp-athena-cur2-'));
const exportDir = path.join(root, 'cur2');
let items: LineItem[] = [];
const athena = new FakeAthena('cur_exports', { cur2_data: { kind: 'cost', folder: exportDir } });

beforeAll(async () => {
  items = await writeCur2Fixture(exportDir);
});
afterAll(() => athena.close());

const { client, fake } = useServer({
  COST_DATA_ENGINE: 'athena',
  ATHENA_WORKGROUP: 'finops',
  ATHENA_DATABASE: 'cur_exports',
  ATHENA_TABLE: 'cur2_data',
  COST_DATA_SCHEMA: 'cur2',
  CACHE_TTL_SECONDS: '0',
});

beforeEach(() => {
  fake.reset();
  athena.install(fake);
});

async function call(name: string, args: Record<string, unknown>) {
  const result = (await client().callTool({ name, arguments: args })) as CallToolResult;
  return { result, data: result.structuredContent as Record<string, any>, text: textOf(result) };
}

function sum(keep: (i: LineItem) => boolean, metric: 'BilledCost' | 'EffectiveCost'): string {
  return items
    .filter((i) => i.ChargePeriodStart >= '2026-10-01' && i.ChargePeriodStart < '2026-11-24')
    .filter((i) => i.ChargeCategory !== 'Credit' && keep(i))
    .reduce((s, i) => s.plus(i[metric]), new Decimal(0))
    .toFixed();
}

test('the FOCUS totals from the CUR 2.0 table; tag key and credit rule bound, never in the text', async () => {
  const args = { start_date: '2026-10-01', end_date: '2026-11-24', group_by: ['tag:team'] };
  for (const metric of ['BilledCost', 'EffectiveCost'] as const) {
    fake.reset();
    athena.install(fake);
    const { result, data } = await call('query-cost-data', { ...args, metric });
    expect(result.isError).toBeFalsy();
    expect(data.engine).toBe('athena');
    expect(data.schema).toBe('cur2');
    expect(data.total.amount).toBe(sum(() => true, metric));
    const alpha = data.rows.find((r: { keys: string[] }) => r.keys[0] === 'alpha');
    expect(alpha.amount).toBe(sum((i) => i.Tags.team === 'alpha', metric));
    const [start] = fake.callsTo('athena:StartQueryExecution');
    expect(start.body.QueryExecutionContext).toEqual({ Database: 'cur_exports', Catalog: 'AwsDataCatalog' });
    expect(start.body.ExecutionParameters).toEqual(
      expect.arrayContaining(["'user_team'", "'Credit'", "'2026-10'", "'2026-11'"]),
    );
    const sql = String(start.body.QueryString);
    expect(sql).toContain('"cur_exports"."cur2_data"');
    expect(sql).toContain('billing_period IN (?, ?)');
    expect(sql).not.toMatch(/user_team|BilledCost|ChargePeriodStart/);
  }
});

test('get-top-resources ranks by amortized cost from the CUR 2.0 columns', async () => {
  const { result, data } = await call('get-top-resources', {
    start_date: '2026-10-01',
    end_date: '2026-11-24',
    metric: 'EffectiveCost',
    target_account_id: MEMBER_A,
    limit: 100,
  });
  expect(result.isError).toBeFalsy();
  const covered = data.resources.find(
    (r: { resource_id: string }) => r.resource_id === 'i-0covered000000001',
  );
  // $10 a day of the Savings Plan's amortization, 1 October to 23 November.
  expect(covered.amount).toBe('540');
  expect(data.total.amount).toBe(sum((i) => i.SubAccountId === MEMBER_A, 'EffectiveCost'));
});

test('a refused name costs no Athena request', async () => {
  const { result, text } = await call('query-cost-data', { group_by: ['ChargeClass'] });
  expect(result.isError).toBe(true);
  expect(text).toContain('ChargeClass has no equivalent in the CUR 2.0 table');
  expect(fake.callsTo('athena:StartQueryExecution')).toEqual([]);
});
