import { textOf, useServer } from '../e2e/harness';
import { assumedAccessKey, awsError } from '../fake-aws/fake-aws';

/*
 * Permission and credential faults: AccessDenied naming the missing IAM action, a member role that cannot be
 * assumed (and can again once fixed), and assumed-role credentials that are about to expire.
 */

const MEMBER = '222222222222';
const OTHER_MEMBER = '333333333333';
const CE = 'ce:GetCostAndUsage';

// Cache off: every call must reach the fake, so that credential use is visible call by call.
const { fake, client } = useServer({
  ALLOWED_TARGET_ACCOUNTS: `${MEMBER},${OTHER_MEMBER}`,
  CACHE_TTL_SECONDS: '0',
});

const EMPTY = { ResultsByTime: [] };

async function costs(targetAccountId?: string) {
  const result = await client().callTool({
    name: 'get-cost-and-usage',
    arguments: {
      period: 'last_month',
      ...(targetAccountId ? { target_account_id: targetAccountId } : {}),
    },
  });
  return { result, text: textOf(result) };
}

beforeEach(() => fake.reset());

test('AccessDeniedException names the missing IAM action and how to grant it', async () => {
  fake.on(CE, () =>
    awsError(
      'AccessDeniedException',
      'User: arn:aws:sts::111111111111:assumed-role/BillingMCPServerAgentCoreRole/s is not authorized to perform: ' +
        'ce:GetCostAndUsage on resource: arn:aws:ce:us-east-1:111111111111:/GetCostAndUsage',
    ),
  );
  const { result, text } = await costs();
  expect(result.isError).toBe(true);
  expect(text).toMatch(
    /^Access denied for ce:GetCostAndUsage in account 111111111111\. Grant ce:GetCostAndUsage to the role the server uses there/,
  );
  // Not a transient fault: asking again with the same credentials cannot succeed, so it is not retried.
  expect(fake.callsTo(CE)).toHaveLength(1);
});

test('an AccessDenied without an action in its message still names the operation’s IAM action', async () => {
  fake.on(CE, () => awsError('AccessDeniedException', 'Access denied'));
  const { text } = await costs();
  expect(text).toMatch(/^Access denied for ce:GetCostAndUsage in account 111111111111\./);
});

test('a member role that cannot be assumed is explained, and works once it can be', async () => {
  fake.deniedRoles.add(OTHER_MEMBER);
  fake.on(CE, () => EMPTY);
  const denied = await costs(OTHER_MEMBER);
  expect(denied.result.isError).toBe(true);
  expect(denied.text).toContain(
    `Could not assume arn:aws:iam::${OTHER_MEMBER}:role/BillingMCPCrossAccountRole`,
  );
  expect(fake.callsTo(CE)).toHaveLength(0);

  // The operator deploys the member role: the failure must not have been remembered.
  fake.deniedRoles.clear();
  const fixed = await costs(OTHER_MEMBER);
  expect(fixed.result.isError).toBeFalsy();
  expect(fake.callsTo(CE).map((c) => c.accessKeyId)).toEqual([assumedAccessKey(OTHER_MEMBER)]);
});

test('assumed-role credentials are reused while fresh', async () => {
  fake.on(CE, () => EMPTY);
  await costs(MEMBER);
  await costs(MEMBER);
  await costs(MEMBER);
  expect(fake.callsTo('sts:AssumeRole')).toHaveLength(1);
  expect(fake.callsTo(CE).map((c) => c.accessKeyId)).toEqual(new Array(3).fill(assumedAccessKey(MEMBER)));
});

describe('expiring credentials', () => {
  const EXPIRING = '444444444444';
  const { fake: shortFake, client: shortClient } = useServer({
    ALLOWED_TARGET_ACCOUNTS: EXPIRING,
    CACHE_TTL_SECONDS: '0',
  });

  test('credentials that enter the refresh window are re-assumed before the next call, not used until they lapse', async () => {
    // The gateway refreshes assumed credentials 5 minutes before they expire. Credentials valid for 304 s are fresh
    // for the first call; 4.5 s later they are inside the window, so the next call must assume the role again.
    // (STS never issues less than 15 minutes, so a lifetime just above the window is the realistic edge.)
    shortFake.assumedCredentialSeconds = 304;
    shortFake.on(CE, () => EMPTY);
    const call = () =>
      shortClient().callTool({
        name: 'get-cost-and-usage',
        arguments: { period: 'last_month', target_account_id: EXPIRING },
      });
    expect((await call()).isError).toBeFalsy();
    expect((await call()).isError).toBeFalsy();
    expect(shortFake.callsTo('sts:AssumeRole')).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect((await call()).isError).toBeFalsy();
    expect(shortFake.callsTo('sts:AssumeRole')).toHaveLength(2);
    expect(shortFake.callsTo(CE).map((c) => c.accessKeyId)).toEqual(
      new Array(3).fill(assumedAccessKey(EXPIRING)),
    );
  });
});
