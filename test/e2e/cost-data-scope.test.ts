import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Decimal from 'decimal.js';
import {
  BUCKETS,
  DECOY_AMOUNT,
  MEMBER_A,
  MEMBER_B,
  PAYER,
  storageLensReports,
  writeFocusFixture,
  writeStorageLensFixture,
  type LineItem,
} from '../fixtures/cost-data';
import { FakeAthena } from '../fake-aws/fake-athena';
import { FakeAws } from '../fake-aws/fake-aws';
import { LocalIssuer } from '../fake-issuer/local-issuer';
import { startServer, textOf, type RunningServer } from './harness';

/*
 * The cost-data tools for callers whose access policy scope is a subset of the accounts in the export. A FOCUS table
 * holds every account of the organization, so the scope must become the query's SubAccountId predicate: totals over
 * the caller's accounts only, an account outside the scope refused before any query, and no other account's rows in
 * any group (tags, folded rows, the "no data" probe). The bundled server verifies local-issuer tokens and answers
 * with the duckdb engine over the generated dataset; a second server on the athena engine (fake Athena) shows that a
 * refusal starts no query.
 */

const POLICY = { finance: '*', 'team-a': [MEMBER_A], 'payer-and-b': [PAYER, MEMBER_B] };
/** A billing period where only MEMBER_B has line items: what a scoped caller must not learn exists. */
const ONLY_B_PERIOD = '2026-06';

const root = mkdtempSync(path.join(tmpdir(), 'billing-mcp-cost-scope-'));
const exportDir = path.join(root, 'focus');
const lensDir = storageLensReports(path.join(root, 'lens'));
const issuer = new LocalIssuer();
const fake = new FakeAws();
const athenaFake = new FakeAws();
const athena = new FakeAthena('billing', { focus: { kind: 'cost', folder: exportDir } });
let duck: RunningServer;
let viaAthena: RunningServer;
let items: LineItem[] = [];

/** MEMBER_B's October rows again, four months earlier, as the only rows of their own billing period. */
async function writeOnlyBPeriod(): Promise<void> {
  const dir = path.join(exportDir, 'data', `BILLING_PERIOD=${ONLY_B_PERIOD}`);
  mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const october = path.join(exportDir, 'data', 'BILLING_PERIOD=2026-10', '*.parquet');
    const shift = (c: string) => `${c} - INTERVAL 4 MONTH AS ${c}`;
    await connection.run(
      `COPY (SELECT * REPLACE (${[
        'ChargePeriodStart',
        'ChargePeriodEnd',
        'BillingPeriodStart',
        'BillingPeriodEnd',
      ]
        .map(shift)
        .join(', ')}) FROM read_parquet('${october}') WHERE SubAccountId = '${MEMBER_B}') ` +
        `TO '${path.join(dir, 'only-b.parquet')}' (FORMAT parquet)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const env = () => ({
  AUTH_DISCOVERY_URL: issuer.discoveryUrl,
  AUTH_ALLOWED_CLIENTS: 'quick-users',
  ACCESS_POLICY: JSON.stringify(POLICY),
});

beforeAll(async () => {
  items = await writeFocusFixture(exportDir);
  await writeOnlyBPeriod();
  await writeStorageLensFixture(path.join(root, 'lens'));
  await issuer.start();
  await fake.start();
  await athenaFake.start();
  athena.install(athenaFake);
  duck = await startServer(fake, { ...env(), COST_DATA_PATH: exportDir, STORAGE_LENS_PATH: lensDir });
  viaAthena = await startServer(athenaFake, {
    ...env(),
    COST_DATA_ENGINE: 'athena',
    ATHENA_WORKGROUP: 'billing-mcp',
    ATHENA_DATABASE: 'billing',
    ATHENA_TABLE: 'focus',
    CACHE_TTL_SECONDS: '0',
  });
});

afterAll(async () => {
  await duck?.stop();
  await viaAthena?.stop();
  await fake.stop();
  await athenaFake.stop();
  await athena.close();
  await issuer.stop();
});

const bob = () => issuer.mintUser({ username: 'bob', groups: ['team-a'] });
const carol = () => issuer.mintUser({ username: 'carol', groups: ['payer-and-b'] });
const alice = () => issuer.mintUser({ username: 'alice', groups: ['finance'] });

async function callAs(
  token: string,
  name: string,
  args: Record<string, unknown>,
  server: RunningServer = duck,
): Promise<{ result: CallToolResult; data: Record<string, any>; text: string; json: string }> {
  const client = new Client({ name: 'cost-scope-test', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  try {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    return {
      result,
      data: result.structuredContent as Record<string, any>,
      text: textOf(result),
      json: JSON.stringify(result),
    };
  } finally {
    await client.close();
  }
}

const OCTOBER = { start_date: '2026-10-01', end_date: '2026-11-01' };

function expected(keep: (i: LineItem) => boolean, start = '2026-10-01', end = '2026-11-01'): string {
  return items
    .filter((i) => i.ChargePeriodStart >= `${start} 00:00:00` && i.ChargePeriodStart < `${end} 00:00:00`)
    .filter((i) => i.ChargeCategory !== 'Credit' && keep(i))
    .reduce((s, i) => s.plus(i.BilledCost), new Decimal(0))
    .toFixed();
}
const inAccounts =
  (...accounts: string[]) =>
  (i: LineItem) =>
    accounts.includes(i.SubAccountId);

describe('totals only over the caller’s accounts', () => {
  test('a one-account caller asking for everything gets that account, and the answer says so', async () => {
    const { result, data, text } = await callAs(bob(), 'query-cost-data', {
      ...OCTOBER,
      group_by: ['SubAccountId'],
    });
    expect(result.isError).toBeFalsy();
    expect(data.rows.map((r: { keys: string[] }) => r.keys)).toEqual([[MEMBER_A]]);
    expect(data.total.amount).toBe(expected(inAccounts(MEMBER_A)));
    expect(text).toContain(`Restricted to your accounts (${MEMBER_A}`);
  });

  test('a two-account caller gets exactly those two', async () => {
    const { data } = await callAs(carol(), 'query-cost-data', { ...OCTOBER, group_by: ['SubAccountId'] });
    expect(data.rows.map((r: { keys: string[] }) => r.keys[0]).sort()).toEqual([PAYER, MEMBER_B].sort());
    expect(data.total.amount).toBe(expected(inAccounts(PAYER, MEMBER_B)));
  });

  test('control: an unrestricted caller gets every account, a larger total', async () => {
    const { data } = await callAs(alice(), 'query-cost-data', { ...OCTOBER, group_by: ['SubAccountId'] });
    expect(data.rows).toHaveLength(3);
    expect(data.total.amount).toBe(expected(() => true));
    expect(new Decimal(data.total.amount).gt(expected(inAccounts(MEMBER_A)))).toBe(true);
  });

  test('an asked account inside the scope narrows further', async () => {
    const { data } = await callAs(carol(), 'query-cost-data', { ...OCTOBER, target_account_id: PAYER });
    expect(data.total.amount).toBe(expected(inAccounts(PAYER)));
  });
});

describe('an account outside the scope is refused before any query', () => {
  test('duckdb: one account outside, or a list partly outside, is refused naming the scope', async () => {
    const single = await callAs(bob(), 'query-cost-data', { ...OCTOBER, target_account_id: MEMBER_B });
    expect(single.result.isError).toBe(true);
    expect(single.text).toBe(
      `Refused: account ${MEMBER_B} is outside your access, which is limited to accounts ${MEMBER_A} (groups: team-a).`,
    );
    const partly = await callAs(bob(), 'get-top-resources', {
      period: 'last_month',
      target_account_ids: [MEMBER_A, MEMBER_B],
    });
    expect(partly.result.isError).toBe(true);
    expect(partly.text).toContain(`Refused: ${MEMBER_B} is outside your access`);
    const storage = await callAs(bob(), 'get-storage-metrics', { target_account_id: PAYER });
    expect(storage.result.isError).toBe(true);
    expect(storage.text).toContain(`Refused: account ${PAYER} is outside your access`);
  });

  test('athena: the refusal starts no query; an allowed question starts one with the account bound', async () => {
    athenaFake.reset();
    athena.install(athenaFake);
    const refused = await callAs(
      bob(),
      'query-cost-data',
      { ...OCTOBER, target_account_id: MEMBER_B },
      viaAthena,
    );
    expect(refused.result.isError).toBe(true);
    expect(athenaFake.callsTo('athena:StartQueryExecution')).toHaveLength(0);
    // Control: the same caller within the scope does start a query, whose predicate carries the scope.
    const allowed = await callAs(bob(), 'query-cost-data', OCTOBER, viaAthena);
    expect(allowed.data.total.amount).toBe(expected(inAccounts(MEMBER_A)));
    const [start] = athenaFake.callsTo('athena:StartQueryExecution');
    expect(String(start.body.QueryString)).toContain('SubAccountId IN (?)');
    expect(start.body.ExecutionParameters).toContain(`'${MEMBER_A}'`);
    expect(start.body.ExecutionParameters).not.toContain(`'${MEMBER_B}'`);
  });
});

describe('groups never carry other accounts’ rows', () => {
  test('tag groups: only the caller’s tag values, amounts and line items', async () => {
    const { data, json } = await callAs(bob(), 'query-cost-data', { ...OCTOBER, group_by: ['tag:team'] });
    const byTeam = Object.fromEntries(
      data.rows.map((r: { keys: string[]; amount: string }) => [r.keys[0], r.amount]),
    );
    const mine = (team: string | undefined) => (i: LineItem) =>
      i.SubAccountId === MEMBER_A && i.Tags.team === team;
    // MEMBER_A's instances are tagged alpha; the other accounts' are beta, which must not appear at all.
    expect(byTeam).toEqual({ alpha: expected(mine('alpha')), '': expected(mine(undefined)) });
    expect(json).not.toContain('beta');
    expect(json).not.toContain(PAYER);
    expect(json).not.toContain(MEMBER_B);
    // Control: the unrestricted caller does see beta.
    const all = await callAs(alice(), 'query-cost-data', { ...OCTOBER, group_by: ['tag:team'] });
    expect(all.data.rows.map((r: { keys: string[] }) => r.keys[0])).toContain('beta');
  });

  test('a partition read for the range holds another account’s decoy: it stays out of the caller’s groups', async () => {
    // The July partition is read for a July–October range; its one row is MEMBER_B's, tagged alpha.
    const range = { start_date: '2026-07-01', end_date: '2026-11-01', group_by: ['tag:team'] };
    const { data } = await callAs(bob(), 'query-cost-data', range);
    const alpha = data.rows.find((r: { keys: string[] }) => r.keys[0] === 'alpha');
    expect(alpha.amount).toBe(
      expected((i) => i.SubAccountId === MEMBER_A && i.Tags.team === 'alpha', '2026-07-01', '2026-11-01'),
    );
    const all = await callAs(alice(), 'query-cost-data', range);
    const alphaAll = all.data.rows.find((r: { keys: string[] }) => r.keys[0] === 'alpha');
    expect(
      new Decimal(alphaAll.amount)
        .minus(expected((i) => i.Tags.team === 'alpha', '2026-07-01', '2026-11-01'))
        .toFixed(),
    ).toBe(DECOY_AMOUNT);
  });

  test('the folded row and the group count cover the caller’s groups only', async () => {
    const { data } = await callAs(bob(), 'query-cost-data', {
      ...OCTOBER,
      group_by: ['SubAccountId', 'ServiceName'],
      limit: 2,
    });
    const services = new Set(
      items
        .filter((i) => i.SubAccountId === MEMBER_A && i.BillingPeriod === '2026-10')
        .map((i) => i.ServiceName),
    );
    expect(data.group_count).toBe(services.size);
    expect(data.rows[data.rows.length - 1].folded_groups).toBe(services.size - 2);
    expect(data.total.amount).toBe(expected(inAccounts(MEMBER_A)));
  });

  test('top resources are the caller’s resources only', async () => {
    const { data, json } = await callAs(bob(), 'get-top-resources', { ...OCTOBER, limit: 3 });
    expect(data.resources.length).toBe(3);
    expect(data.resources.every((r: { account_id: string }) => r.account_id === MEMBER_A)).toBe(true);
    expect(data.total.amount).toBe(expected(inAccounts(MEMBER_A)));
    expect(json).not.toContain(PAYER);
    expect(json).not.toContain(MEMBER_B);
  });

  test('storage metrics are the caller’s buckets only', async () => {
    const { data, json } = await callAs(bob(), 'get-storage-metrics', {});
    const own = BUCKETS.filter((b) => b.account === MEMBER_A).map((b) => b.name);
    expect(data.rows.map((r: { key: string }) => r.key)).toEqual(own);
    for (const other of BUCKETS.filter((b) => b.account !== MEMBER_A)) expect(json).not.toContain(other.name);
    // Control: everyone's buckets for the unrestricted caller.
    const all = await callAs(alice(), 'get-storage-metrics', {});
    expect(all.data.rows).toHaveLength(BUCKETS.length);
  });

  test('"no line items" does not tell which periods hold other accounts’ data', async () => {
    const june = { start_date: `${ONLY_B_PERIOD}-01`, end_date: '2026-07-01' };
    const { data, text } = await callAs(bob(), 'query-cost-data', june);
    expect(data.total.amount).toBe('0');
    // The periods listed are the caller's own (the three recent months), not June, which holds only MEMBER_B's rows.
    expect(text).toContain('billing periods with data among those checked: 2026-09, 2026-10, 2026-11;');
    // Control: for an unrestricted caller whose filter matches nothing in June, June is listed.
    const all = await callAs(alice(), 'query-cost-data', {
      ...june,
      filters: [{ column: 'SubAccountId', values: [MEMBER_A] }],
    });
    expect(all.data.total.amount).toBe('0');
    expect(all.text).toContain(`billing periods with data among those checked: ${ONLY_B_PERIOD}, 2026-09`);
  });
});
