import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
  type ResultByTime,
} from '@aws-sdk/client-cost-explorer';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import Decimal from 'decimal.js';
import { accountCosts } from '../fixtures/organization';
import { assumedAccessKey, BASE_ACCESS_KEY, FakeAws, OWN_ACCOUNT } from './fake-aws';
import { installOrganization } from './org-ledger';

// The payer route's premise, checked on the fake over the wire: the payer's LINKED_ACCOUNT-grouped answers hold
// each member's own answers, figure for figure.

const PAYER = OWN_ACCOUNT;
const MEMBERS = ['222222222222', '333333333333', '444444444444'];
const fake = new FakeAws();

beforeAll(async () => {
  await fake.start();
  installOrganization(fake, {
    payer: PAYER,
    accounts: Object.fromEntries([PAYER, ...MEMBERS].map((a, i) => [a, accountCosts(i + 1)])),
    monthlyDrift: '0.0000000001',
    groupsPerPage: 4,
  });
});
afterAll(() => fake.stop());

function ceAs(account: string): CostExplorerClient {
  return new CostExplorerClient({
    region: 'us-east-1',
    endpoint: fake.url,
    credentials:
      account === OWN_ACCOUNT
        ? { accessKeyId: BASE_ACCESS_KEY, secretAccessKey: 'x' }
        : { accessKeyId: assumedAccessKey(account), secretAccessKey: 'x', sessionToken: 't' },
  });
}

/** Every page of an answer, joined: one entry per bucket with its groups. */
async function readAll(account: string, input: GetCostAndUsageCommandInput): Promise<ResultByTime[]> {
  const client = ceAs(account);
  const buckets: ResultByTime[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(new GetCostAndUsageCommand({ ...input, NextPageToken: token }));
    pages++;
    for (const r of page.ResultsByTime ?? []) {
      const last = buckets[buckets.length - 1];
      if (last?.TimePeriod?.Start === r.TimePeriod?.Start)
        last.Groups = [...(last.Groups ?? []), ...(r.Groups ?? [])];
      else buckets.push({ ...r });
    }
    token = page.NextPageToken;
  } while (token && pages < 50);
  client.destroy();
  return buckets;
}

const LAST_TWO_MONTHS = { Start: '2026-10-01', End: '2026-11-25' };
const NO_CREDITS = { Not: { Dimensions: { Key: 'RECORD_TYPE' as const, Values: ['Credit', 'Refund'] } } };
const byAccount = (input: GetCostAndUsageCommandInput): GetCostAndUsageCommandInput => ({
  ...input,
  GroupBy: [{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }, ...(input.GroupBy ?? [])],
  Filter: { And: [input.Filter!, { Dimensions: { Key: 'LINKED_ACCOUNT', Values: MEMBERS } }] },
});

test.each([
  ['MONTHLY', undefined],
  ['DAILY', undefined],
  ['MONTHLY', [{ Type: 'DIMENSION', Key: 'SERVICE' }]],
] as const)(
  "the payer's LINKED_ACCOUNT groups (%s, grouped by %j) are each member's own answer",
  async (granularity, groupBy) => {
    const input: GetCostAndUsageCommandInput = {
      TimePeriod: LAST_TWO_MONTHS,
      Granularity: granularity,
      Metrics: ['UnblendedCost'],
      Filter: NO_CREDITS,
      ...(groupBy ? { GroupBy: [...groupBy] } : {}),
    };
    const payer = await readAll(PAYER, byAccount(input));
    for (const member of MEMBERS) {
      const own = await readAll(member, input);
      const share = payer.map((b) =>
        (b.Groups ?? [])
          .filter((g) => g.Keys![0] === member)
          .map((g) => ({ keys: g.Keys!.slice(1), amount: g.Metrics!.UnblendedCost.Amount })),
      );
      const expected = own.map((b) =>
        groupBy
          ? (b.Groups ?? []).map((g) => ({ keys: g.Keys, amount: g.Metrics!.UnblendedCost.Amount }))
          : [{ keys: [], amount: b.Total!.UnblendedCost.Amount }],
      );
      expect(share).toEqual(expected);
      expect(payer.map((b) => b.Estimated)).toEqual(own.map((b) => b.Estimated));
    }
  },
);

test("a member's monthly figure is not the sum of its days (the match above is not a sum of days)", async () => {
  const input: GetCostAndUsageCommandInput = {
    TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
    Granularity: 'MONTHLY',
    Metrics: ['UnblendedCost'],
    Filter: NO_CREDITS,
  };
  const [month] = await readAll(MEMBERS[0], input);
  const days = await readAll(MEMBERS[0], { ...input, Granularity: 'DAILY' });
  const sum = days.reduce((s, d) => s.plus(d.Total!.UnblendedCost.Amount!), new Decimal(0));
  expect(days).toHaveLength(31);
  expect(month.Total!.UnblendedCost.Amount).not.toBe(sum.toFixed());
  expect(month.Total!.UnblendedCost.Amount).toBe(sum.plus('0.0000000001').toFixed());
});

test('the payer is not its own linked account: a LINKED_ACCOUNT filter on its id returns nothing', async () => {
  const input: GetCostAndUsageCommandInput = {
    TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
    Granularity: 'MONTHLY',
    Metrics: ['UnblendedCost'],
  };
  const [own] = await readAll(PAYER, {
    ...input,
    Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [PAYER] } },
  });
  expect(own.Total!.UnblendedCost.Amount).toBe('0');
  // Control: the payer's unfiltered figure covers its own costs and its members'.
  const [all] = await readAll(PAYER, input);
  expect(Number(all.Total!.UnblendedCost.Amount)).toBeGreaterThan(0);
});

test('a grouped payer answer comes in pages, each a paid request', async () => {
  const before = fake.callsTo('ce:GetCostAndUsage').length;
  const buckets = await readAll(PAYER, {
    ...byAccount({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      Filter: NO_CREDITS,
    }),
  });
  expect(buckets[0].Groups!.map((g) => g.Keys![0])).toEqual(MEMBERS);
  // Three groups fit one page of four.
  expect(fake.callsTo('ce:GetCostAndUsage').length - before).toBe(1);
  const [byService] = await readAll(PAYER, {
    ...byAccount({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      Filter: NO_CREDITS,
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
    }),
  });
  const pages = Math.ceil(byService.Groups!.length / 4);
  expect(pages).toBeGreaterThan(1);
  expect(fake.callsTo('ce:GetCostAndUsage').length - before).toBe(1 + pages);
});

test('Organizations lists the accounts in the payer only', async () => {
  const as = (account: string) =>
    new OrganizationsClient({
      region: 'us-east-1',
      endpoint: fake.url,
      credentials:
        account === OWN_ACCOUNT
          ? { accessKeyId: BASE_ACCESS_KEY, secretAccessKey: 'x' }
          : { accessKeyId: assumedAccessKey(account), secretAccessKey: 'x', sessionToken: 't' },
    });
  const listed = await as(PAYER).send(new ListAccountsCommand({}));
  expect(listed.Accounts!.map((a) => a.Id)).toEqual([PAYER, ...MEMBERS]);
  await expect(as(MEMBERS[0]).send(new ListAccountsCommand({}))).rejects.toThrow(
    "You don't have permissions to access this resource.",
  );
});
