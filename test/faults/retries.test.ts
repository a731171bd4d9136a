import { textOf, useServer } from '../e2e/harness';
import { awsError, reply } from '../fake-aws/fake-aws';

/*
 * Transient AWS failures injected through the fake endpoint: throttling bursts, 5xx answers, connection resets and
 * unreadable bodies. A short burst is retried and the user gets the answer; a persistent fault ends in a message
 * saying what happened and what to do — never a stack, never a hang. Cost Explorer goes through an SDK client
 * (adaptive retry, 4 attempts); Free Tier through the signed JSON helper (its own backoff, 3 attempts).
 */

// Cache off: a cached answer would hide the faults of later tests.
const { fake, client } = useServer({ CACHE_TTL_SECONDS: '0' });

const CE = 'ce:GetCostAndUsage';
const FREE_TIER = 'freetier:GetFreeTierUsage';

function costAnswer(amount: string) {
  return {
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-11-01', End: '2026-11-24' },
        Total: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
        Groups: [],
        Estimated: true,
      },
    ],
  };
}

const freeTierAnswer = {
  freeTierUsages: [
    {
      service: 'AWS Lambda',
      operation: 'Invoke',
      usageType: 'Request',
      region: 'global',
      actualUsageAmount: 10,
      forecastedUsageAmount: 20,
      limit: 1000000,
      unit: 'Requests',
      description: '1,000,000 free requests per month',
      freeTierType: 'Always Free',
    },
  ],
};

/** One get-cost-and-usage call over a fixed range. */
async function costs() {
  const started = Date.now();
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: { start_date: '2026-11-01', end_date: '2026-11-24' },
  });
  return { result, text: textOf(result), ms: Date.now() - started };
}

async function freeTier() {
  const result = await client().callTool({ name: 'get-free-tier-usage', arguments: {} });
  return { result, text: textOf(result) };
}

beforeEach(() => fake.reset());

afterEach(() => {
  // Every scripted fault was consumed: the calls really reached AWS as many times as the test says.
  expect(fake.pendingScripted(CE)).toBe(0);
  expect(fake.pendingScripted(FREE_TIER)).toBe(0);
});

describe('throttling', () => {
  test('a burst of ThrottlingException is retried with backoff and the answer arrives well within the deadline', async () => {
    fake.on(CE, () => costAnswer('12.34'));
    fake.script(CE, ...Array.from({ length: 3 }, () => awsError('ThrottlingException', 'Rate exceeded')));
    const { result, text, ms } = await costs();
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as any).total).toEqual({ amount: '12.34', unit: 'USD' });
    expect(text).toContain('12.34 USD');
    expect(fake.callsTo(CE)).toHaveLength(4);
    // The tool deadline is 45 s. Adaptive retry slows down after throttling (its token bucket refills at as little as
    // 0.5 per second), so three retries take seconds, not milliseconds — still far inside the deadline.
    expect(ms).toBeLessThan(20_000);
  });

  test("Cost Explorer's LimitExceededException burst is retried the same way", async () => {
    fake.on(CE, () => costAnswer('5'));
    fake.script(
      CE,
      awsError('LimitExceededException', 'Rate exceeded'),
      awsError('LimitExceededException', 'x'),
    );
    const { result } = await costs();
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as any).total.amount).toBe('5');
    expect(fake.callsTo(CE)).toHaveLength(3);
  });

  test('throttling that outlasts the retries ends in a clear "try again" message after 4 attempts', async () => {
    fake.on(CE, () => awsError('ThrottlingException', 'Rate exceeded'));
    const { result, text } = await costs();
    expect(result.isError).toBe(true);
    expect(text).toBe(
      'AWS throttled ce:GetCostAndUsage in account 111111111111 even after retries; try again in a minute.',
    );
    expect(fake.callsTo(CE)).toHaveLength(4);
  });

  test('the signed JSON helper retries a throttled Free Tier call too', async () => {
    fake.on(FREE_TIER, () => freeTierAnswer);
    fake.script(FREE_TIER, awsError('ThrottlingException', 'Rate exceeded'));
    const { result, text } = await freeTier();
    expect(result.isError).toBeFalsy();
    expect(text).toContain('AWS Lambda');
    expect(fake.callsTo(FREE_TIER)).toHaveLength(2);
  });
});

describe('5xx answers and connection resets', () => {
  test('503s are retried and the answer arrives', async () => {
    fake.on(CE, () => costAnswer('7.5'));
    fake.script(
      CE,
      awsError('ServiceUnavailableException', 'Service is unavailable', 503),
      awsError('InternalServerError', 'Internal error', 500),
    );
    const { result } = await costs();
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as any).total.amount).toBe('7.5');
    expect(fake.callsTo(CE)).toHaveLength(3);
  });

  test('persistent 500s end in a clear "unavailable, try again shortly" message', async () => {
    fake.on(CE, () => awsError('InternalServerError', 'Internal error', 500));
    const { result, text } = await costs();
    expect(result.isError).toBe(true);
    expect(text).toBe(
      'ce:GetCostAndUsage is unavailable right now (the service or the network failed after retries); try again shortly.',
    );
    expect(fake.callsTo(CE)).toHaveLength(4);
  });

  test('connection resets are retried and the answer arrives', async () => {
    fake.on(CE, () => costAnswer('3'));
    fake.script(CE, reply({ status: 200, reset: true }), reply({ status: 200, reset: true }));
    const { result } = await costs();
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as any).total.amount).toBe('3');
    expect(fake.callsTo(CE)).toHaveLength(3);
  });

  test('a connection that keeps resetting ends in the same clear message', async () => {
    fake.on(CE, () => reply({ status: 200, reset: true }));
    const { result, text } = await costs();
    expect(result.isError).toBe(true);
    expect(text).toMatch(/^ce:GetCostAndUsage is unavailable right now .*try again shortly\.$/);
    expect(text).not.toMatch(/\n\s+at /);
    expect(fake.callsTo(CE)).toHaveLength(4);
  });

  test('the signed JSON helper retries 5xx and resets, then gives the same message', async () => {
    fake.on(FREE_TIER, () => freeTierAnswer);
    fake.script(
      FREE_TIER,
      awsError('InternalServerException', 'boom', 500),
      reply({ status: 200, reset: true }),
    );
    expect((await freeTier()).result.isError).toBeFalsy();
    expect(fake.callsTo(FREE_TIER)).toHaveLength(3);

    fake.reset();
    fake.on(FREE_TIER, () => awsError('InternalServerException', 'boom', 500));
    const { result, text } = await freeTier();
    expect(result.isError).toBe(true);
    expect(text).toMatch(/^freetier:GetFreeTierUsage is unavailable right now .*try again shortly\.$/);
    expect(fake.callsTo(FREE_TIER)).toHaveLength(3);
  });
});

describe('malformed answers', () => {
  test.each([
    ['truncated JSON', '{not json'],
    ['an HTML error page', '<html><body>Bad gateway</body></html>'],
  ])('%s from Cost Explorer gives a clear message, not a parser error', async (_label, raw) => {
    fake.on(CE, () => reply({ status: 200, raw }));
    const { result, text } = await costs();
    expect(result.isError).toBe(true);
    expect(text).toBe('AWS returned a response for ce:GetCostAndUsage that could not be read; try again.');
  });

  test('an unreadable Free Tier answer gives the same clear message', async () => {
    fake.on(FREE_TIER, () => reply({ status: 200, raw: '{"freeTierUsages": [' }));
    const { result, text } = await freeTier();
    expect(result.isError).toBe(true);
    expect(text).toBe(
      'AWS returned a response for freetier:GetFreeTierUsage that could not be read; try again.',
    );
  });
});
