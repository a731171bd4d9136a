import { textOf, useServer } from '../e2e/harness';
import { reply } from '../fake-aws/fake-aws';

/*
 * A slow AWS service against a 2 s tool deadline: what was read comes back with an explicit "incomplete" note,
 * and when nothing could be read the answer says so clearly — both on time, never a hang.
 */

const DEADLINE_SECONDS = 2;
const { fake, client } = useServer({
  TOOL_DEADLINE_SECONDS: String(DEADLINE_SECONDS),
  CACHE_TTL_SECONDS: '0',
});
const CE = 'ce:GetCostAndUsage';

function page(amount: string, next?: string) {
  return {
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Total: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
        Groups: [],
        Estimated: false,
      },
    ],
    ...(next ? { NextPageToken: next } : {}),
  };
}

async function timed(name: string, args: Record<string, unknown>) {
  const started = Date.now();
  const result = await client().callTool({ name, arguments: args });
  return { result, text: textOf(result), ms: Date.now() - started };
}

beforeEach(() => fake.reset());

test('a slow second page gives the first page as a partial answer with an "incomplete" note, on time', async () => {
  fake.script(CE, page('40.5', 'page-2'), reply({ status: 200, body: page('1'), delayMs: 10_000 }));
  const { result, text, ms } = await timed('get-cost-and-usage', { period: 'last_month' });
  expect(result.isError).toBeFalsy();
  expect((result.structuredContent as any).total).toEqual({ amount: '40.5', unit: 'USD' });
  expect(text).toContain(
    `incomplete: the tool deadline (${DEADLINE_SECONDS} s) stopped reading after 1 page(s)`,
  );
  expect(fake.callsTo(CE).map((c) => c.body.NextPageToken)).toEqual([undefined, 'page-2']);
  expect(ms).toBeLessThan(DEADLINE_SECONDS * 1000 + 1_500);
});

test('a service too slow to answer at all gives a clear deadline message, on time', async () => {
  fake.on(CE, () => reply({ status: 200, body: page('1'), delayMs: 10_000 }));
  const { result, text, ms } = await timed('get-cost-and-usage', { period: 'last_month' });
  expect(result.isError).toBe(true);
  expect(text).toMatch(
    new RegExp(`^get-cost-and-usage did not finish within the tool deadline of ${DEADLINE_SECONDS} s`),
  );
  expect(ms).toBeLessThan(DEADLINE_SECONDS * 1000 + 1_500);
});

test('the signed JSON helper is cut off by the deadline too', async () => {
  fake.on('freetier:GetFreeTierUsage', () =>
    reply({ status: 200, body: { freeTierUsages: [] }, delayMs: 10_000 }),
  );
  const { result, text, ms } = await timed('get-free-tier-usage', {});
  expect(result.isError).toBe(true);
  expect(text).toMatch(/did not finish within the tool deadline of 2 s/);
  expect(ms).toBeLessThan(DEADLINE_SECONDS * 1000 + 1_500);
});

test('the server answers normally once the slow service recovers', async () => {
  fake.on(CE, () => page('9.99'));
  const { result } = await timed('get-cost-and-usage', { period: 'last_month' });
  expect(result.isError).toBeFalsy();
  expect((result.structuredContent as any).total.amount).toBe('9.99');
});
