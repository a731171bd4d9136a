import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BILLING_READ_ONLY_ACTIONS } from '../../server/src/aws/actions';
import { BILLING_READ_ONLY_SID } from '../../cross-account/billing-read-only-policy';
import {
  ASSUME_LISTED_MEMBER_ROLES_SID,
  ASSUME_ORGANIZATION_MEMBER_ROLES_SID,
  DENY_WORKLOAD_ACCESS_TOKENS_SID,
  ExecutionRoleStack,
  type ExecutionRoleStackProps,
} from '../../lib/execution-role-stack';
import { actionsOf, policyStatements } from './helpers';

function template(props: Partial<ExecutionRoleStackProps> = {}): Template {
  const stack = new ExecutionRoleStack(new App(), 'ExecutionRole', {
    roleName: 'BillingMCPServerAgentCoreRole',
    crossAccountRoleName: 'BillingMCPCrossAccountRole',
    ...props,
  });
  return Template.fromStack(stack);
}

const partition = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

describe('ExecutionRoleStack', () => {
  test('the role has the configured name and only AgentCore, confused-deputy guarded, may assume it', () => {
    template().hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'BillingMCPServerAgentCoreRole',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'bedrock-agentcore.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':bedrock-agentcore:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':*',
                    ],
                  ],
                },
              },
            },
          },
        ],
      },
    });
  });

  test('the billing statement grants exactly the catalogue’s actions', () => {
    const billing = policyStatements(template()).filter((s) => s.Sid === BILLING_READ_ONLY_SID);
    expect(billing).toHaveLength(1);
    expect(billing[0]).toEqual({
      Sid: BILLING_READ_ONLY_SID,
      Effect: 'Allow',
      Action: [...BILLING_READ_ONLY_ACTIONS].sort(),
      Resource: '*',
    });
  });

  test('denies every AgentCore workload access token action the Runtime construct grants', () => {
    template().hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.arrayWith([
        {
          PolicyName: 'DenyWorkloadAccessTokens',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: DENY_WORKLOAD_ACCESS_TOKENS_SID,
                Effect: 'Deny',
                Action: 'bedrock-agentcore:GetWorkloadAccessToken*',
                Resource: '*',
              },
            ],
          },
        },
      ]),
    });
  });

  test('without member accounts or an organization it may not assume any role', () => {
    const actions = policyStatements(template()).flatMap(actionsOf);
    expect(actions).not.toContain('sts:AssumeRole');
    // The billing policy is the only policy the stack creates.
    template().resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('with member accounts it may assume the member role in exactly those accounts', () => {
    const assume = policyStatements(template({ memberAccountIds: ['111111111111', '222222222222'] })).filter(
      (s) => s.Sid === ASSUME_LISTED_MEMBER_ROLES_SID,
    );
    expect(assume).toEqual([
      {
        Sid: ASSUME_LISTED_MEMBER_ROLES_SID,
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: [
          partition(':iam::111111111111:role/BillingMCPCrossAccountRole'),
          partition(':iam::222222222222:role/BillingMCPCrossAccountRole'),
        ],
      },
    ]);
  });

  test('with an organization it may assume the member role name in any account of that organization only', () => {
    const assume = policyStatements(template({ organizationId: 'o-abc1234567' })).filter(
      (s) => s.Sid === ASSUME_ORGANIZATION_MEMBER_ROLES_SID,
    );
    expect(assume).toEqual([
      {
        Sid: ASSUME_ORGANIZATION_MEMBER_ROLES_SID,
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: partition(':iam::*:role/BillingMCPCrossAccountRole'),
        Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-abc1234567' } },
      },
    ]);
  });

  test('every sts:AssumeRole it grants targets the member role name', () => {
    const statements = policyStatements(
      template({ memberAccountIds: ['111111111111'], organizationId: 'o-abc1234567' }),
    ).filter((s) => actionsOf(s).includes('sts:AssumeRole'));
    expect(statements).toHaveLength(2);
    for (const s of statements) {
      expect(JSON.stringify(s.Resource)).toMatch(/:role\/BillingMCPCrossAccountRole"/);
      expect(actionsOf(s)).toEqual(['sts:AssumeRole']);
    }
  });

  test('is named by the configured role name, so member roles can trust its ARN across accounts', () => {
    template({ roleName: 'CustomRole' }).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'CustomRole',
      Policies: Match.arrayWith([Match.objectLike({ PolicyName: 'BillingReadOnly' })]),
    });
  });
});
