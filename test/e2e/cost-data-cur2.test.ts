import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Decimal from 'decimal.js';
import {
  rankResourcesByEffectiveCost,
  DECOY_AMOUNT,
  MEMBER_A,
  PAYER,
  writeCur2Fixture,
  writeFocusFixture,
  type LineItem,
} from '../fixtures/cost-data';
import { startServer, textOf, useServer, type RunningServer } from './harness';

// COST_DATA_SCHEMA=cur2 end to end: the bundled server with the duckdb engine over the CUR 2.0 variant of the
// synthetic dataset (the same line items as CUR 2.0 records them), asked the questions the FOCUS dataset answers.
// Expected figures are summed here from the FOCUS line items with decimal.js, and compared with what a second server
// reading the FOCUS files answers.

const root = mkdtempSync(path.join(tmpdir(), 'billing-mcp-cur2-'));
const curDir = path.join(root, 'cur2');
const focusDir = path.join(root, 'focus');
let items: LineItem[] = [];

// Registered before useServer's own beforeAll, so the data is on disk before the server starts.
beforeAll(async () => {
  items = await writeCur2Fixture(curDir);
  await writeFocusFixture(focusDir);
});

const { client, fake } = useServer({ COST_DATA_PATH: curDir, COST_DATA_SCHEMA: 'cur2' });

let focusServer: RunningServer | undefined;
let focusClient: Client | undefined;
beforeAll(async () => {
  focusServer = await startServer(fake, { COST_DATA_PATH: focusDir });
  focusClient = await focusServer.client();
});
afterAll(async () => {
  await focusServer?.stop();
});

type Metric = 'BilledCost' | 'EffectiveCost' | 'ListCost';

function expected(
  start: string,
  end: string,
  keep: (i: LineItem) => boolean = () => true,
  metric: Metric = 'BilledCost',
  credits = false,
): string {
  return items
    .filter((i) => i.ChargePeriodStart >= `${start} 00:00:00` && i.ChargePeriodStart < `${end} 00:00:00`)
    .filter((i) => credits || i.ChargeCategory !== 'Credit')
    .filter(keep)
    .reduce((s, i) => s.plus(i[metric]), new Decimal(0))
    .toFixed();
}

async function ask(c: Client, name: string, args: Record<string, unknown>) {
  const result = (await c.callTool({ name, arguments: args })) as CallToolResult;
  return { result, data: result.structuredContent as Record<string, any>, text: textOf(result) };
}
const call = (name: string, args: Record<string, unknown>) => ask(client(), name, args);

/** The figures of an answer, without what legitimately differs between the tables (line item counts, bytes). */
function figures(data: Record<string, any>) {
  return {
    total: data.total,
    rows: (data.rows ?? data.resources).map((r: Record<string, unknown>) => ({
      keys: r.keys ?? r.resource_id,
      period: r.period,
      amount: r.amount,
    })),
  };
}

describe('query-cost-data on a CUR 2.0 table (COST_DATA_SCHEMA=cur2)', () => {
  test('October by service: the FOCUS totals, exact, and the answer says which table it read', async () => {
    const { result, data, text } = await call('query-cost-data', {
      start_date: '2026-10-01',
      end_date: '2026-11-01',
      group_by: ['ServiceName'],
    });
    expect(result.isError).toBeFalsy();
    expect(data.schema).toBe('cur2');
    expect(text).toContain('CUR 2.0 table (COST_DATA_SCHEMA=cur2)');
    expect(data.total.amount).toBe(expected('2026-10-01', '2026-11-01'));
    // By hand: Lambda is 0.0123 a day × (1+2+3) accounts × (1+2) regions × 31 days.
    const lambda = data.rows.find((r: { keys: string[] }) => r.keys[0] === 'AWS Lambda');
    expect(lambda.amount).toBe('6.8634');
    expect(lambda.line_items).toBe(String(3 * 2 * 31));
    expect(data.credits).toBe('excluded');
    expect(data.data_freshness.newest_charge_period_end).toBe('2026-11-01T00:00:00Z');
    expect(data.bytes_scanned).toBeGreaterThan(0);
  });

  test.each([
    ['BilledCost', { start_date: '2026-10-01', end_date: '2026-11-01', group_by: ['SubAccountId'] }],
    ['EffectiveCost', { start_date: '2026-10-01', end_date: '2026-11-01', group_by: ['SubAccountId'] }],
    ['ListCost', { start_date: '2026-09-01', end_date: '2026-11-01', group_by: ['x_ServiceCode'] }],
    [
      'BilledCost',
      { start_date: '2026-09-01', end_date: '2026-11-01', granularity: 'MONTHLY', group_by: ['RegionId'] },
    ],
    [
      'EffectiveCost',
      { period: 'last_3_months', group_by: ['tag:team', 'SubAccountName'], include_credits: true },
    ],
  ])('%s %j: the same figures as the FOCUS table', async (metric, args) => {
    const cur = await call('query-cost-data', { metric, ...args });
    const focus = await ask(focusClient!, 'query-cost-data', { metric, ...args });
    expect(cur.result.isError).toBeFalsy();
    expect(focus.data.schema).toBe('focus');
    expect(figures(cur.data)).toEqual(figures(focus.data));
    expect(cur.data.rows.length).toBeGreaterThan(1);
  });

  test('BilledCost carries the Savings Plan purchase, EffectiveCost its amortization (covered usage, negation)', async () => {
    // October and November: the $310 purchase against 54 days of $10 amortization, so the three metrics differ.
    const args = { start_date: '2026-10-01', end_date: '2026-11-24', target_account_id: MEMBER_A };
    const billed = await call('query-cost-data', args);
    const effective = await call('query-cost-data', { ...args, metric: 'EffectiveCost' });
    const list = await call('query-cost-data', { ...args, metric: 'ListCost' });
    const mine = (i: LineItem) => i.SubAccountId === MEMBER_A;
    expect(billed.data.total.amount).toBe(expected('2026-10-01', '2026-11-24', mine));
    expect(effective.data.total.amount).toBe(expected('2026-10-01', '2026-11-24', mine, 'EffectiveCost'));
    expect(list.data.total.amount).toBe(expected('2026-10-01', '2026-11-24', mine, 'ListCost'));
    expect(new Decimal(effective.data.total.amount).minus(billed.data.total.amount).toFixed()).toBe(
      String(10 * 54 - 310),
    );
    // Control: the metrics differ on this account, so each mapping is tested on its own.
    expect(
      new Set([billed.data.total.amount, effective.data.total.amount, list.data.total.amount]).size,
    ).toBe(3);
  });

  test('credits (line item type Credit) are counted only when asked', async () => {
    const args = { start_date: '2026-09-01', end_date: '2026-10-01' };
    const without = await call('query-cost-data', args);
    const withCredits = await call('query-cost-data', { ...args, include_credits: true });
    expect(withCredits.data.total.amount).toBe(
      expected('2026-09-01', '2026-10-01', () => true, 'BilledCost', true),
    );
    expect(new Decimal(without.data.total.amount).minus(withCredits.data.total.amount).toFixed()).toBe('15');
  });

  test('reads only the billing periods of the range: the decoy filed under July is not counted', async () => {
    const october = await call('query-cost-data', { start_date: '2026-10-01', end_date: '2026-11-01' });
    expect(october.data.total.amount).toBe(expected('2026-10-01', '2026-11-01'));
    // Control: a range whose billing periods include July reads that partition, and the decoy (dated October) counts.
    const withJuly = await call('query-cost-data', { start_date: '2026-07-01', end_date: '2026-11-01' });
    expect(new Decimal(withJuly.data.total.amount).minus(october.data.total.amount).toFixed()).toBe(
      new Decimal(DECOY_AMOUNT).plus(expected('2026-08-01', '2026-10-01')).toFixed(),
    );
  });

  test('tags come from resource_tags (user_<key>); accounts from line_item_usage_account_id', async () => {
    const { data } = await call('query-cost-data', {
      start_date: '2026-10-01',
      end_date: '2026-11-01',
      group_by: ['tag:team'],
      filters: [{ column: 'ServiceName', values: ['AWS Lambda'], exclude: true }],
      target_account_ids: [PAYER, MEMBER_A],
    });
    const byTeam = Object.fromEntries(
      data.rows.map((r: { keys: string[]; amount: string }) => [r.keys[0], r.amount]),
    );
    const keep = (team: string | undefined) => (i: LineItem) =>
      i.ServiceName !== 'AWS Lambda' && i.Tags.team === team && i.SubAccountId !== '333333333333';
    expect(byTeam).toEqual({
      alpha: expected('2026-10-01', '2026-11-01', keep('alpha')),
      beta: expected('2026-10-01', '2026-11-01', keep('beta')),
      '': expected('2026-10-01', '2026-11-01', keep(undefined)),
    });
  });

  test.each([
    [{ group_by: ['ServiceCategory'] }, 'group_by[0]: ServiceCategory has no equivalent'],
    [
      { filters: [{ column: 'ChargeCategory', values: ['Usage'] }] },
      'filters[0].column: ChargeCategory has no',
    ],
    [{ metric: 'ContractedCost' }, 'metric: ContractedCost has no equivalent'],
  ])(
    'refuses a FOCUS name CUR 2.0 has no equivalent for, naming it and the schema: %j',
    async (args, message) => {
      const { result, text } = await call('query-cost-data', { period: 'last_month', ...args });
      expect(result.isError).toBe(true);
      expect(text).toContain(message);
      expect(text).toContain('CUR 2.0 table this server reads (COST_DATA_SCHEMA=cur2)');
      expect(text).not.toMatch(/at .*\.js:\d+/);
      // Control: the FOCUS table answers the same question.
      const focus = await ask(focusClient!, 'query-cost-data', { period: 'last_month', ...args });
      expect(focus.result.isError).toBeFalsy();
    },
  );

  test('a question that matches nothing says what the CUR 2.0 table holds', async () => {
    const { result, data } = await call('query-cost-data', {
      period: 'last_month',
      filters: [{ column: 'ServiceName', values: ["x' OR '1'='1"] }],
    });
    expect(result.isError).toBeFalsy();
    expect(data.total.amount).toBe('0');
    expect(data.notes.join(' ')).toContain(
      'billing periods with data among those checked: 2026-09, 2026-10, 2026-11',
    );
  });

  test('the same files read as FOCUS fail: the schema setting is what makes them readable', async () => {
    const asFocus = await startServer(fake, { COST_DATA_PATH: curDir });
    try {
      const c = await asFocus.client();
      const { result, text } = await ask(c, 'query-cost-data', { period: 'last_month' });
      expect(result.isError).toBe(true);
      expect(text).toMatch(/BilledCost|ChargePeriod/);
    } finally {
      await asFocus.stop();
    }
  });
});

describe('get-top-resources on a CUR 2.0 table', () => {
  test('the costliest resources of an account over three months, amortized, as the FOCUS table ranks them', async () => {
    const args = { period: 'last_3_months', metric: 'EffectiveCost', target_account_id: MEMBER_A, limit: 3 };
    const { result, data, text } = await call('get-top-resources', args);
    expect(result.isError).toBeFalsy();
    expect(data.schema).toBe('cur2');
    expect(text).toContain('CUR 2.0 table');
    const ranked = rankResourcesByEffectiveCost(items, MEMBER_A, '2026-08-01', '2026-11-01');
    expect(
      data.resources.map((r: { resource_id: string; amount: string }) => [r.resource_id, r.amount]),
    ).toEqual(ranked.slice(0, 3).map(([k, v]) => [k, v.toFixed()]));
    expect(data.other_resources.count).toBe(ranked.length - 3);
    expect(data.total.amount).toBe(ranked.reduce((s, [, v]) => s.plus(v), new Decimal(0)).toFixed());
    expect(data.resources[0]).toMatchObject({
      account_id: MEMBER_A,
      service: 'Amazon Relational Database Service',
      region: 'eu-west-1',
      // CUR 2.0 has no resource name column.
      resource_name: '',
    });
    const focus = await ask(focusClient!, 'get-top-resources', args);
    expect(figures(data)).toEqual(figures(focus.data));
  });

  test('BilledCost ranks the covered instance at nothing, as the invoice does', async () => {
    const args = {
      start_date: '2026-10-01',
      end_date: '2026-11-01',
      target_account_id: MEMBER_A,
      limit: 100,
    };
    const { data } = await call('get-top-resources', args);
    const covered = data.resources.find(
      (r: { resource_id: string }) => r.resource_id === 'i-0covered000000001',
    );
    expect(covered.amount).toBe('0');
    // Amortized, the same instance carries the Savings Plan's $10 a day.
    const amortized = await call('get-top-resources', { ...args, metric: 'EffectiveCost' });
    const again = amortized.data.resources.find(
      (r: { resource_id: string }) => r.resource_id === 'i-0covered000000001',
    );
    expect(again.amount).toBe('310');
  });

  test('refuses ContractedCost, which CUR 2.0 has no column for', async () => {
    const { result, text } = await call('get-top-resources', { metric: 'ContractedCost' });
    expect(result.isError).toBe(true);
    expect(text).toContain('metric: ContractedCost has no equivalent in the CUR 2.0 table');
  });

  test('never calls AWS', () => {
    expect(fake.calls.filter((c) => c.service !== 'sts')).toEqual([]);
  });
});
