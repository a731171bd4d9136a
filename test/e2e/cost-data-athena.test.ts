import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Decimal from 'decimal.js';
import {
  storageLensReports,
  writeFocusFixture,
  writeStorageLensFixture,
  type LineItem,
} from '../fixtures/cost-data';
import { FakeAthena } from '../fake-aws/fake-athena';
import { textOf, useServer } from './harness';

// The athena engine end to end: the bundled server, its real Athena SDK client, and the fake Athena of the fake
// AWS endpoint running the received SQL (with its ExecutionParameters) in DuckDB over the same fixture.

const root = mkdtempSync(path.join(tmpdir(), 'billing-mcp-athena-'));
const exportDir = path.join(root, 'focus');
const lensDir = storageLensReports(path.join(root, 'lens'));
let items: LineItem[] = [];
const athena = new FakeAthena('billing', {
  focus: { kind: 'cost', folder: exportDir },
  storage_lens: { kind: 'storage', folder: lensDir },
});

beforeAll(async () => {
  items = await writeFocusFixture(exportDir);
  await writeStorageLensFixture(path.join(root, 'lens'));
});
afterAll(() => athena.close());

const { client, fake } = useServer({
  COST_DATA_ENGINE: 'athena',
  ATHENA_WORKGROUP: 'billing-mcp',
  ATHENA_DATABASE: 'billing',
  ATHENA_TABLE: 'focus',
  STORAGE_LENS_TABLE: 'storage_lens',
  // Short, so the deadline test is quick: the soft deadline (stop the query) fires 0.3 s before.
  TOOL_DEADLINE_SECONDS: '3',
  CACHE_TTL_SECONDS: '0',
});

beforeEach(() => {
  fake.reset();
  athena.install(fake);
  athena.pageSize = 1000;
  athena.next.length = 0;
});

async function call(name: string, args: Record<string, unknown>) {
  const result = (await client().callTool({ name, arguments: args })) as CallToolResult;
  return { result, data: result.structuredContent as Record<string, any>, text: textOf(result) };
}

function october(keep: (i: LineItem) => boolean = () => true): string {
  return items
    .filter((i) => i.ChargePeriodStart >= '2026-10-01' && i.ChargePeriodStart < '2026-11-01')
    .filter((i) => i.ChargeCategory !== 'Credit' && keep(i))
    .reduce((s, i) => s.plus(i.BilledCost), new Decimal(0))
    .toFixed();
}

test('answers with exact totals; parameters travel as SQL literals, never in the text', async () => {
  const { result, data, text } = await call('query-cost-data', {
    start_date: '2026-10-01',
    end_date: '2026-11-01',
    group_by: ['ServiceName'],
    filters: [{ column: 'ServiceName', values: ["O'Brien's service"], exclude: true }],
  });
  expect(result.isError).toBeFalsy();
  expect(data.engine).toBe('athena');
  expect(data.total.amount).toBe(october());
  const [start] = fake.callsTo('athena:StartQueryExecution');
  expect(start.body.WorkGroup).toBe('billing-mcp');
  expect(start.body.QueryExecutionContext).toEqual({ Database: 'billing', Catalog: 'AwsDataCatalog' });
  expect(start.body.ExecutionParameters).toContain("'O''Brien''s service'");
  expect(start.body.ExecutionParameters).toContain("'2026-10'");
  expect(String(start.body.QueryString)).not.toContain('Brien');
  expect(String(start.body.QueryString)).toContain('billing_period IN (?)');
  const scanned = [...athena.executions.values()][0].scanned;
  expect(scanned).toBeGreaterThan(0);
  expect(data.bytes_scanned).toBe(scanned);
  expect(text).toContain('at $5/TB');
});

test('reads results of more than one page whole', async () => {
  athena.pageSize = 3;
  const { data } = await call('query-cost-data', {
    start_date: '2026-10-01',
    end_date: '2026-11-01',
    group_by: ['SubAccountId', 'ServiceName'],
    limit: 100,
  });
  // 3 accounts × 4 services + the Savings Plan purchase row: 13 rows and the header, 3 a page.
  expect(data.rows).toHaveLength(13);
  expect(fake.callsTo('athena:GetQueryResults').length).toBe(5);
  expect(data.total.amount).toBe(october());
});

test("a FAILED query's reason reaches the user in plain words", async () => {
  athena.next.push({
    kind: 'fail',
    reason: "TABLE_NOT_FOUND: line 3:8: Table 'awsdatacatalog.billing.focus' does not exist",
  });
  const { result, text } = await call('query-cost-data', { period: 'last_month' });
  expect(result.isError).toBe(true);
  expect(text).toContain('Athena could not run the query');
  expect(text).toContain("Table 'awsdatacatalog.billing.focus' does not exist");
});

test('the workgroup cutoff is named as such', async () => {
  athena.next.push({ kind: 'fail', reason: 'Query cancelled! : Bytes scanned limit was exceeded' });
  const { result, text } = await call('get-top-resources', {});
  expect(result.isError).toBe(true);
  expect(text).toContain("workgroup's per-query limit");
  expect(text).toContain('BytesScannedCutoffPerQuery');
});

test('a query still running at the deadline is stopped, and the answer says so', async () => {
  athena.next.push({ kind: 'hang' });
  const { result, text } = await call('query-cost-data', { period: 'last_month' });
  expect(result.isError).toBe(true);
  expect(text).toContain('was stopped');
  const stops = fake.callsTo('athena:StopQueryExecution');
  expect(stops).toHaveLength(1);
  expect(athena.cancelled()).toEqual([stops[0].body.QueryExecutionId]);
});

test('a slow query inside the deadline is waited for (polled with backoff)', async () => {
  athena.next.push({ kind: 'slow', ms: 900 });
  const { result, data } = await call('query-cost-data', {
    start_date: '2026-10-01',
    end_date: '2026-11-01',
  });
  expect(result.isError).toBeFalsy();
  expect(data.total.amount).toBe(october());
  const polls = fake.callsTo('athena:GetQueryExecution').length;
  // 200, 300, 450 ms… : a handful of polls for 0.9 s, not one every few milliseconds.
  expect(polls).toBeGreaterThanOrEqual(2);
  expect(polls).toBeLessThan(8);
});

test('Storage Lens through Athena', async () => {
  const { result, data } = await call('get-storage-metrics', {
    date: '2026-11-23',
    compare_date: '2026-11-20',
  });
  expect(result.isError).toBeFalsy();
  expect(data.total.storage_bytes).toBe(String(25_006_000 + 3_003_000 + 7_003_000));
  const [start] = fake.callsTo('athena:StartQueryExecution');
  expect(start.body.ExecutionParameters).toEqual(
    expect.arrayContaining(["'2026-11-23'", "'2026-11-20'", "'BUCKET'"]),
  );
});
