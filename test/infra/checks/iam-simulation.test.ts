import { Template } from 'aws-cdk-lib/assertions';
import { BILLING_READ_ONLY_ACTIONS } from '../../../server/src/aws/actions';
import { buildTestApp, evaluateCfn } from '../helpers';
import { simulate } from './iam-simulation';

const SOURCE = '444444444444';
const MEMBER = '111111111111';
const OTHER = '999999999999';
const EXECUTION_ROLE = `arn:aws:iam::${SOURCE}:role/BillingMCPServerAgentCoreRole`;
const MEMBER_ROLE_NAME = 'BillingMCPCrossAccountRole';
const memberRole = (account: string) => `arn:aws:iam::${account}:role/${MEMBER_ROLE_NAME}`;

/** Every `Fn::GetAtt` of a template, given a made-up ARN, so policies that name template resources evaluate. */
function fakeGetAtts(template: object): Record<string, string> {
  const found: Record<string, string> = {};
  JSON.stringify(template, (key, value) => {
    if (key === 'Fn::GetAtt')
      found[value.join('.')] = `arn:aws:ecr:us-east-1:${SOURCE}:repository/${value[0]}`;
    return value;
  });
  return found;
}

const refs = (extra: Record<string, string> = {}) => ({
  'AWS::Partition': 'aws',
  'AWS::AccountId': SOURCE,
  'AWS::Region': 'us-east-1',
  ...extra,
});

let executionPolicies: unknown[];
let memberPolicies: unknown[];
let memberTrust: unknown;

beforeAll(() => {
  // The configuration of `npm run synth:all`, but only listed member accounts: the organization statement's
  // aws:ResourceOrgID would need the target's organization in the context (simulated separately below).
  const { stacks } = buildTestApp({
    memberAccountIds: `${MEMBER},222222222222`,
    managementAccountId: MEMBER,
    sourceAccountId: SOURCE,
    deployMemberRole: 'true',
  });
  const execution = Template.fromStack(stacks.executionRole).toJSON();
  const role = Object.values(execution.Resources).find((r: any) => r.Type === 'AWS::IAM::Role') as any;
  executionPolicies = role.Properties.Policies.map((p: any) =>
    evaluateCfn(p.PolicyDocument, { refs: refs() }),
  );
  // The Runtime construct's grants, attached to the execution role from the runtime stack.
  const runtime = Template.fromStack(stacks.runtime).toJSON();
  for (const r of Object.values(runtime.Resources) as any[]) {
    if (r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes('ExecutionRole')) {
      // Refs to the template's own resources (names of the build project, log groups): their logical ids.
      const own = Object.fromEntries(Object.keys(runtime.Resources).map((id) => [id, id]));
      executionPolicies.push(
        evaluateCfn(r.Properties.PolicyDocument, { refs: refs(own), getAtts: fakeGetAtts(runtime) }),
      );
    }
  }
  const member = Template.fromStack(stacks.memberRole!).toJSON();
  const memberRoleResource = Object.values(member.Resources).find(
    (r: any) => r.Type === 'AWS::IAM::Role',
  ) as any;
  const params = { SourceAccountId: SOURCE, ExecutionRoleArn: EXECUTION_ROLE };
  memberPolicies = memberRoleResource.Properties.Policies.map((p: any) =>
    evaluateCfn(p.PolicyDocument, { refs: refs(params) }),
  );
  memberTrust = evaluateCfn(memberRoleResource.Properties.AssumeRolePolicyDocument, { refs: refs(params) });
});

const asExecutionRole = (action: string, resource = '*', account = SOURCE, context = {}) =>
  simulate(
    { principal: EXECUTION_ROLE, action, resource, resourceAccount: account, context },
    { identity: executionPolicies },
  );
const asMemberRole = (action: string, resource = '*') =>
  simulate(
    {
      principal: `arn:aws:sts::${MEMBER}:assumed-role/${MEMBER_ROLE_NAME}/s`,
      action,
      resource,
      resourceAccount: MEMBER,
    },
    { identity: memberPolicies },
  );

/** Writes a read-only role must never be able to make. */
const WRITES: [string, string][] = [
  ['ce:CreateCostCategoryDefinition', '*'],
  ['ce:UpdateAnomalyMonitor', '*'],
  ['budgets:ModifyBudget', `arn:aws:budgets::${SOURCE}:budget/b`],
  ['iam:CreateUser', `arn:aws:iam::${SOURCE}:user/u`],
  ['s3:PutObject', 'arn:aws:s3:::some-random-bucket-7f3a/key'],
  ['ec2:TerminateInstances', `arn:aws:ec2:us-east-1:${SOURCE}:instance/i-0123456789abcdef0`],
  ['cost-optimization-hub:UpdatePreferences', '*'],
];

describe('execution role, simulated', () => {
  test.each(BILLING_READ_ONLY_ACTIONS.map((a) => [a]))('may call %s', async (action) => {
    expect(await asExecutionRole(action)).toBe('Allowed');
  });

  test.each(WRITES)('may not call %s', async (action, resource) => {
    expect(await asExecutionRole(action, resource)).not.toBe('Allowed');
  });

  test('may assume the member role of a listed account', async () => {
    // Cross-account: the member role's trust must admit the call too.
    expect(
      await simulate(
        {
          principal: EXECUTION_ROLE,
          action: 'sts:AssumeRole',
          resource: memberRole(MEMBER),
          resourceAccount: MEMBER,
        },
        { identity: executionPolicies, resource: memberTrust },
      ),
    ).toBe('Allowed');
  });

  test('may not assume another role name, or the member role name in an account not listed', async () => {
    // Targets that trust the whole source account, so only the execution role's own policy can refuse.
    const trustsSource = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SOURCE}:root` }, Action: 'sts:AssumeRole' },
      ],
    };
    const assume = (resource: string, account: string) =>
      simulate(
        { principal: EXECUTION_ROLE, action: 'sts:AssumeRole', resource, resourceAccount: account },
        { identity: executionPolicies, resource: trustsSource },
      );
    expect(await assume(memberRole(MEMBER), MEMBER)).toBe('Allowed');
    expect(await assume(`arn:aws:iam::${MEMBER}:role/Admin`, MEMBER)).toBe('ImplicitlyDenied');
    expect(await assume(memberRole(OTHER), OTHER)).toBe('ImplicitlyDenied');
  });

  test('the Runtime construct’s workload access token grant is overridden by the explicit deny', async () => {
    const token = `arn:aws:bedrock-agentcore:us-east-1:${SOURCE}:workload-identity-directory/default/workload-identity/x`;
    for (const suffix of ['', 'ForJWT', 'ForUserId']) {
      expect(await asExecutionRole(`bedrock-agentcore:GetWorkloadAccessToken${suffix}`, token)).toBe(
        'ExplicitlyDenied',
      );
    }
  });
});

describe('member role, simulated', () => {
  test.each(BILLING_READ_ONLY_ACTIONS.map((a) => [a]))('may call %s', async (action) => {
    expect(await asMemberRole(action)).toBe('Allowed');
  });

  test.each(WRITES)('may not call %s', async (action, resource) => {
    expect(await asMemberRole(action, resource)).not.toBe('Allowed');
  });

  test('its trust admits the execution role (whose own policy allows the call)', async () => {
    expect(
      await simulate(
        {
          principal: EXECUTION_ROLE,
          action: 'sts:AssumeRole',
          resource: memberRole(MEMBER),
          resourceAccount: MEMBER,
        },
        { identity: executionPolicies, resource: memberTrust },
      ),
    ).toBe('Allowed');
  });

  test('its trust refuses another role of the source account, even one allowed to assume anything', async () => {
    const admin = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
    expect(
      await simulate(
        {
          principal: `arn:aws:iam::${SOURCE}:role/SomeOtherRole`,
          action: 'sts:AssumeRole',
          resource: memberRole(MEMBER),
          resourceAccount: MEMBER,
        },
        { identity: admin, resource: memberTrust },
      ),
    ).not.toBe('Allowed');
  });
});

describe('simulate (negative control)', () => {
  test('a policy that grants a write is reported Allowed, so the denials above can fail', async () => {
    const leaky = [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'budgets:*', Resource: '*' }] },
    ];
    expect(
      await simulate(
        {
          principal: EXECUTION_ROLE,
          action: 'budgets:ModifyBudget',
          resource: `arn:aws:budgets::${SOURCE}:budget/b`,
          resourceAccount: SOURCE,
        },
        { identity: leaky },
      ),
    ).toBe('Allowed');
  });

  test('a trust policy without the PrincipalArn condition admits any role of the source account', async () => {
    const open = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SOURCE}:root` }, Action: 'sts:AssumeRole' },
      ],
    };
    const admin = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
    expect(
      await simulate(
        {
          principal: `arn:aws:iam::${SOURCE}:role/SomeOtherRole`,
          action: 'sts:AssumeRole',
          resource: memberRole(MEMBER),
          resourceAccount: MEMBER,
        },
        { identity: admin, resource: open },
      ),
    ).toBe('Allowed');
  });

  test('a malformed policy throws instead of reading as denied', async () => {
    await expect(
      simulate(
        { principal: EXECUTION_ROLE, action: 'ce:GetCostAndUsage', resource: '*', resourceAccount: SOURCE },
        {
          identity: [
            { Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 'ce:*', Resource: '*' }] },
          ],
        },
      ),
    ).rejects.toThrow('Simulation failed');
  });
});
