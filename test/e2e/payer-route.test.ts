import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Decimal from 'decimal.js';
import { awsError, BASE_ACCESS_KEY, FakeAws, OWN_ACCOUNT } from '../fake-aws/fake-aws';
import { callerAccount, installOrganization, type OrganizationSpec } from '../fake-aws/org-ledger';
import { accountCosts } from '../fixtures/organization';
import { startServer, textOf, type RunningServer } from './harness';

/*
 * The payer route against the fan-out, on the same organization: two bundled servers on one fake AWS, one that
 * finds the payer (its own account, through DescribeOrganization) and one whose payer is out of reach (so every
 * account is asked on its own). Every multi-account answer must hold the same per-account figures, sections and
 * combined total on both; only the route and what it paid differ.
 */

const PAYER = OWN_ACCOUNT;
const MEMBERS = ['222222222222', '333333333333', '444444444444', '555555555555'];
const OUTSIDE = '666666666666';
const SPEC: OrganizationSpec = {
  payer: PAYER,
  accounts: Object.fromEntries([PAYER, ...MEMBERS].map((a, i) => [a, accountCosts(i + 1)])),
  outside: { [OUTSIDE]: accountCosts(7) },
  monthlyDrift: '0.0000000001',
  // Small pages, so that the payer's answers come in several.
  groupsPerPage: 3,
  accountsPerPage: 2,
};

const fake = new FakeAws();
const servers: RunningServer[] = [];
let viaPayer: Client;
let fanout: Client;

beforeAll(async () => {
  await fake.start();
  installOrganization(fake, SPEC);
  const allowed = [...MEMBERS, OUTSIDE].join(',');
  const [a, b] = await Promise.all([
    startServer(fake, { ALLOWED_TARGET_ACCOUNTS: allowed }),
    // A payer the server may not query: the route is not available, every account goes through the fan-out.
    startServer(fake, { ALLOWED_TARGET_ACCOUNTS: allowed, PAYER_ACCOUNT_ID: '999999999999' }),
  ]);
  servers.push(a, b);
  [viaPayer, fanout] = await Promise.all([a.client(), b.client()]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await fake.stop();
});
let org: ReturnType<typeof installOrganization>;
beforeEach(() => {
  fake.reset();
  org = installOrganization(fake, SPEC);
});

type Data = Record<string, any>;

async function ask(client: Client, name: string, args: Record<string, unknown>) {
  const before = fake.calls.length;
  const result = (await client.callTool({ name, arguments: { refresh: true, ...args } })) as CallToolResult;
  expect(result.isError).toBeFalsy();
  return { data: result.structuredContent as Data, text: textOf(result), calls: fake.calls.slice(before) };
}

/** What must be equal on both routes: each account's answer and total, the combined total. */
function figures(data: Data) {
  return {
    accounts: data.accounts.map((a: Data) => ({
      account_id: a.account_id,
      ok: a.ok,
      total: a.total,
      error: a.error,
      answer: a.answer,
    })),
    combined_total: data.combined_total,
  };
}

/** The per-account sections of the answer text (the route line and the usage footer left out). */
function sections(text: string): string {
  const body = text.slice(text.indexOf('### Account'));
  return body.slice(0, body.search(/\n\n(Note: |Computed on )/));
}

const paidCe = (calls: typeof fake.calls) => calls.filter((c) => c.service === 'ce');

test('get-cost-and-usage: one grouped request (and its pages) in the payer, the same figures as the fan-out', async () => {
  const args = { period: 'last_month', target_account_ids: MEMBERS };
  const payer = await ask(viaPayer, 'get-cost-and-usage', args);
  const each = await ask(fanout, 'get-cost-and-usage', args);

  expect(figures(payer.data)).toEqual(figures(each.data));
  expect(sections(payer.text)).toEqual(sections(each.text));
  expect(payer.data.combined_total).toMatchObject({ accounts: 4, unit: 'USD' });
  // Control: the accounts' figures differ, so equal answers are not equal by accident.
  expect(new Set(payer.data.accounts.map((a: Data) => a.total.amount)).size).toBe(4);

  // Four members in one bucket, three groups a page: one request and its second page, all in the payer.
  const asked = paidCe(payer.calls);
  expect(asked).toHaveLength(2);
  expect(asked.every((c) => c.accessKeyId === BASE_ACCESS_KEY)).toBe(true);
  expect(asked[0].body.GroupBy).toEqual([{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }]);
  expect(payer.calls.filter((c) => c.key === 'sts:AssumeRole')).toHaveLength(0);
  expect(payer.data.api.paid_requests).toBe(2);
  expect(payer.data.route).toEqual({
    kind: 'payer',
    payer_account_id: PAYER,
    via_payer: MEMBERS,
    on_own: [],
    payer_paid_requests: 2,
  });
  expect(payer.text).toContain(
    `Route: payer account ${PAYER} answered the cost figures of 4 accounts of its organization from 1 ` +
      'LINKED_ACCOUNT-grouped request there: 2 paid Cost Explorer requests (pages included), instead of requests ' +
      'in each account.',
  );

  // The audit line names every account whose figures were read, though only the payer was asked.
  const lastAudit = () => {
    const lines = servers[0]
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"msg":"tool call"'));
    return JSON.parse(lines[lines.length - 1]);
  };
  for (let i = 0; i < 40 && lastAudit().requests !== payer.data.api.requests; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(lastAudit().accounts).toEqual([PAYER, ...MEMBERS]);

  // The fan-out: one request per account, each in its own account.
  expect(paidCe(each.calls).map(callerAccount).sort()).toEqual(MEMBERS);
  expect(each.data.api.paid_requests).toBe(4);
  expect(each.data.route).toMatchObject({ kind: 'fan-out', on_own: MEMBERS, payer_paid_requests: 0 });
  expect(each.text).toContain(
    'Route: each account asked with its own requests (fan-out): the payer account 999999999999 is not among ' +
      "this server's allowed target accounts.",
  );
});

test("control: a payer figure off in its last decimal shows as a difference, in that account's figures only", async () => {
  const args = { period: 'last_month', target_account_ids: MEMBERS.slice(0, 3) };
  // The payer's grouped answer, with the first member's figure moved by 1e-10 (three groups: one page).
  fake.script('ce:GetCostAndUsage', (body: Record<string, any>) => {
    const buckets = org.answer(PAYER, body as never);
    const group = buckets[0].Groups!.find((g) => g.Keys[0] === MEMBERS[0])!;
    group.Metrics.UnblendedCost.Amount = new Decimal(group.Metrics.UnblendedCost.Amount)
      .plus('1e-10')
      .toFixed();
    return { ResultsByTime: buckets, GroupDefinitions: body.GroupBy, DimensionValueAttributes: [] };
  });
  const payer = await ask(viaPayer, 'get-cost-and-usage', args);
  const each = await ask(fanout, 'get-cost-and-usage', args);
  expect(payer.data.route.kind).toBe('payer');
  const differing = figures(payer.data).accounts.filter(
    (a: Data, i: number) => JSON.stringify(a) !== JSON.stringify(figures(each.data).accounts[i]),
  );
  expect(differing.map((a: Data) => a.account_id)).toEqual([MEMBERS[0]]);
  expect(payer.data.combined_total).not.toEqual(each.data.combined_total);
});

test('get-cost-and-usage by service, daily: each of its requests once in the payer, same figures', async () => {
  const args = {
    start_date: '2026-10-30',
    end_date: '2026-11-02',
    granularity: 'DAILY',
    group_by: [{ type: 'DIMENSION', key: 'SERVICE' }],
    target_account_ids: MEMBERS,
  };
  const payer = await ask(viaPayer, 'get-cost-and-usage', args);
  const each = await ask(fanout, 'get-cost-and-usage', args);
  expect(figures(payer.data)).toEqual(figures(each.data));
  expect(sections(payer.text)).toEqual(sections(each.text));
  // The handler's three requests (asked by service, ungrouped daily, monthly figures), each asked once for the four
  // in the payer, and by each account on the fan-out.
  const distinct = (calls: typeof fake.calls) =>
    new Set(
      paidCe(calls).map(
        (c) => `${callerAccount(c)} ${JSON.stringify({ ...c.body, NextPageToken: undefined })}`,
      ),
    ).size;
  expect(distinct(payer.calls)).toBe(3);
  expect(distinct(each.calls)).toBe(12);
  expect(payer.data.route.payer_paid_requests).toBe(paidCe(payer.calls).length);
  expect(payer.data.api.paid_requests).toBe(paidCe(payer.calls).length);
});

test('a mixed list: the payer itself and an account outside the organization are asked on their own', async () => {
  const args = {
    period: 'month_to_date',
    target_account_ids: [PAYER, MEMBERS[0], OUTSIDE, MEMBERS[1], MEMBERS[2]],
  };
  const payer = await ask(viaPayer, 'get-cost-and-usage', args);
  const each = await ask(fanout, 'get-cost-and-usage', args);
  expect(figures(payer.data)).toEqual(figures(each.data));
  expect(payer.data.route).toEqual({
    kind: 'payer',
    payer_account_id: PAYER,
    via_payer: [MEMBERS[0], MEMBERS[1], MEMBERS[2]],
    on_own: [PAYER, OUTSIDE],
    payer_paid_requests: 1,
    reason: `${PAYER} is the payer itself (LINKED_ACCOUNT does not list a management account); ${OUTSIDE} outside its organization`,
  });
  const asked = paidCe(payer.calls);
  // The payer's own ungrouped figure (its organization's), one grouped request for the three members, and the
  // outside account's own request through its role.
  expect(asked.map(callerAccount).sort()).toEqual([PAYER, PAYER, OUTSIDE]);
  const grouped = asked.find((c) => c.body.GroupBy)!;
  expect(JSON.stringify(grouped.body.Filter)).toContain(JSON.stringify([MEMBERS[0], MEMBERS[1], MEMBERS[2]]));
  expect(JSON.stringify(grouped.body.Filter)).not.toContain(PAYER);
  expect(payer.calls.filter((c) => c.key === 'sts:AssumeRole').map((c) => c.body.RoleArn)).toEqual([
    `arn:aws:iam::${OUTSIDE}:role/BillingMCPCrossAccountRole`,
  ]);
  expect(payer.data.api.paid_requests).toBe(3);
  expect(each.data.api.paid_requests).toBe(5);
});

test('summarize-costs: its cost figures through the payer, forecasts, anomalies and budgets in each account', async () => {
  const args = { target_account_ids: MEMBERS };
  const payer = await ask(viaPayer, 'summarize-costs', args);
  const each = await ask(fanout, 'summarize-costs', args);
  expect(figures(payer.data)).toEqual(figures(each.data));
  expect(sections(payer.text)).toEqual(sections(each.text));
  expect(payer.data.accounts[0].answer.forecast).toBeDefined();
  expect(payer.data.accounts[0].answer.budgets.count).toBe(1);

  const costsIn = (calls: typeof fake.calls) =>
    calls.filter((c) => c.key === 'ce:GetCostAndUsage').map(callerAccount);
  expect(new Set(costsIn(payer.calls))).toEqual(new Set([PAYER]));
  expect(new Set(costsIn(each.calls))).toEqual(new Set(MEMBERS));
  // The reads without LINKED_ACCOUNT grouping stay in each account, on both routes.
  for (const key of ['ce:GetCostForecast', 'ce:GetAnomalies', 'budgets:DescribeBudgets']) {
    expect(
      payer.calls
        .filter((c) => c.key === key)
        .map(callerAccount)
        .sort(),
    ).toEqual(MEMBERS);
  }
  expect(payer.data.api.paid_requests).toBeLessThan(each.data.api.paid_requests);
  expect(payer.text).toContain(
    'Their other reads (no LINKED_ACCOUNT grouping for them) went to each account.',
  );
});

test('get-cost-forecast: the actual through the payer, each forecast in its account, same figures', async () => {
  const args = { target_account_ids: MEMBERS };
  const payer = await ask(viaPayer, 'get-cost-forecast', args);
  const each = await ask(fanout, 'get-cost-forecast', args);
  expect(figures(payer.data)).toEqual(figures(each.data));
  expect(payer.data.accounts[0].answer.month_end).toBeDefined();
  expect(payer.data.api.paid_requests).toBe(1 + 4 + 1);
  expect(each.data.api.paid_requests).toBe(4 + 4);
});

test("the payer's failed request leaves its accounts to be asked on their own, with the same figures", async () => {
  const args = { period: 'last_month', target_account_ids: MEMBERS };
  const throttled = awsError('ThrottlingException', 'Rate exceeded');
  fake.script('ce:GetCostAndUsage', ...Array.from({ length: 4 }, () => throttled));
  const payer = await ask(viaPayer, 'get-cost-and-usage', args);
  const each = await ask(fanout, 'get-cost-and-usage', args);
  expect(figures(payer.data)).toEqual(figures(each.data));
  expect(payer.data.route).toMatchObject({ kind: 'fan-out', on_own: MEMBERS });
  expect(payer.text).toContain(
    `the payer's answer could not be used (AWS throttled ce:GetCostAndUsage in account ${PAYER}`,
  );
});

test('a payer answer beyond the page bound is not cut up: its accounts are asked on their own', async () => {
  // Three weeks by service and day: more groups than MAX_PAGES (10) pages per account of three groups each.
  const args = {
    start_date: '2026-10-20',
    end_date: '2026-11-10',
    granularity: 'DAILY',
    group_by: [{ type: 'DIMENSION', key: 'SERVICE' }],
    target_account_ids: MEMBERS,
  };
  const payer = await ask(viaPayer, 'get-cost-and-usage', args);
  const each = await ask(fanout, 'get-cost-and-usage', args);
  expect(figures(payer.data)).toEqual(figures(each.data));
  expect(payer.data.accounts[0].answer.more_pages).toBe(true);
  expect(payer.data.route).toMatchObject({ kind: 'fan-out', on_own: MEMBERS });
  expect(payer.data.route.reason).toContain("the payer's answer has more than 40 pages");
});

test('fewer than two members asked: the fan-out, and the answer says why', async () => {
  const payer = await ask(viaPayer, 'get-cost-and-usage', {
    period: 'last_month',
    target_account_ids: [MEMBERS[0], OUTSIDE],
  });
  expect(payer.data.route).toMatchObject({ kind: 'fan-out', on_own: [MEMBERS[0], OUTSIDE] });
  expect(payer.data.route.reason).toBe(
    `only one member of payer ${PAYER}'s organization asked besides the payer itself`,
  );
  expect(paidCe(payer.calls).map(callerAccount).sort()).toEqual([MEMBERS[0], OUTSIDE]);
});

test('tools outside the payer route answer as before, with no route', async () => {
  const payer = await ask(viaPayer, 'get-budgets', { target_account_ids: MEMBERS });
  expect(payer.data.route).toBeUndefined();
  expect(
    payer.calls
      .filter((c) => c.key === 'budgets:DescribeBudgets')
      .map(callerAccount)
      .sort(),
  ).toEqual(MEMBERS);
});
