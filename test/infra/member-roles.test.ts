import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BILLING_READ_ONLY_SID } from '../../cross-account/billing-read-only-policy';
import { MemberRoleStack, synthesizeMemberRoleTemplate } from '../../cross-account/member-role-stack';
import { MemberRolesStack, type MemberRolesStackProps } from '../../lib/member-roles-stack';
import { writeMemberTemplate } from '../../scripts/member-template';
import { BILLING_READ_ONLY_ACTIONS } from '../../server/src/aws/actions';
import { actionsOf, evaluateCfn, policyStatements } from './helpers';

const EXECUTION_ROLE_ARN = 'arn:aws:iam::123456789012:role/BillingMCPServerAgentCoreRole';

describe('MemberRoleStack', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(
      new MemberRoleStack(new App(), 'MemberRole', { roleName: 'BillingMCPCrossAccountRole' }),
    );
  });

  test('trusts the source account root, narrowed to the execution role by aws:PrincipalArn', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'BillingMCPCrossAccountRole',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: {
              AWS: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'SourceAccountId' }, ':root'],
                ],
              },
            },
            Condition: { ArnEquals: { 'aws:PrincipalArn': { Ref: 'ExecutionRoleArn' } } },
          },
        ],
      },
    });
  });

  test('evaluated with its parameters, the trust names the source account and the execution role', () => {
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0] as any;
    const values = {
      refs: {
        'AWS::Partition': 'aws',
        SourceAccountId: '123456789012',
        ExecutionRoleArn: EXECUTION_ROLE_ARN,
      },
    };
    expect(evaluateCfn(role.Properties.AssumeRolePolicyDocument.Statement[0], values)).toEqual({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Condition: { ArnEquals: { 'aws:PrincipalArn': EXECUTION_ROLE_ARN } },
    });
  });

  test('grants exactly the catalogue’s actions and nothing else', () => {
    const statements = policyStatements(template);
    expect(statements).toEqual([
      {
        Sid: BILLING_READ_ONLY_SID,
        Effect: 'Allow',
        Action: [...BILLING_READ_ONLY_ACTIONS].sort(),
        Resource: '*',
      },
    ]);
  });

  test('requires the external id when one is configured', () => {
    const withId = Template.fromStack(
      new MemberRoleStack(new App(), 'MemberRole', { roleName: 'R', externalId: 'ext-123' }),
    );
    withId.hasParameter('ExternalId', { Default: 'ext-123', NoEcho: true });
    withId.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: {
              ArnEquals: { 'aws:PrincipalArn': { Ref: 'ExecutionRoleArn' } },
              StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } },
            },
          }),
        ],
      },
    });
  });

  test('the plain template has only its own parameters: no bootstrap version, no CDK metadata', () => {
    const plain = synthesizeMemberRoleTemplate({ roleName: 'BillingMCPCrossAccountRole' }) as any;
    expect(Object.keys(plain.Parameters)).toEqual(['SourceAccountId', 'ExecutionRoleArn']);
    expect(plain.Rules).toBeUndefined();
    expect(Object.values(plain.Resources).map((r: any) => r.Type)).toEqual(['AWS::IAM::Role']);
    expect(JSON.stringify(plain)).not.toContain('aws:cdk:path');
  });

  test('npm run member-template writes that template, with defaults from the configured source account', () => {
    const out = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'member-template-')),
      'nested',
      'member.json',
    );
    writeMemberTemplate(out, { sourceAccountId: '123456789012', crossAccountRoleName: 'OrgBillingRead' });
    const written = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(written.Parameters.SourceAccountId.Default).toBe('123456789012');
    expect(written.Parameters.ExecutionRoleArn.Default).toBe(EXECUTION_ROLE_ARN);
    expect(Object.values(written.Resources as Record<string, any>)[0].Properties.RoleName).toBe(
      'OrgBillingRead',
    );
  });
});

describe('MemberRolesStack', () => {
  const build = (props: Partial<MemberRolesStackProps>) =>
    Template.fromStack(
      new MemberRolesStack(new App(), 'MemberRoles', {
        stackSetNamePrefix: 'BillingMcp',
        roleName: 'BillingMCPCrossAccountRole',
        executionRoleName: 'BillingMCPServerAgentCoreRole',
        ...props,
      }),
    );

  test('OUs get a service-managed StackSet with auto-deployment, in one region', () => {
    const template = build({ organizationalUnitIds: ['ou-abcd-12345678'], stackSetRegion: 'eu-west-1' });
    template.resourceCountIs('AWS::CloudFormation::StackSet', 1);
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'BillingMcp-MemberRole-OUs',
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: ['ou-abcd-12345678'] }, Regions: ['eu-west-1'] },
      ],
    });
  });

  test('an account list gets a self-managed StackSet', () => {
    const template = build({ memberAccountIds: ['111111111111', '222222222222'], callAs: 'DELEGATED_ADMIN' });
    template.resourceCountIs('AWS::CloudFormation::StackSet', 1);
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'BillingMcp-MemberRole-Accounts',
      PermissionModel: 'SELF_MANAGED',
      CallAs: Match.absent(),
      StackInstancesGroup: [
        {
          DeploymentTargets: { Accounts: ['111111111111', '222222222222'] },
          Regions: [{ Ref: 'AWS::Region' }],
        },
      ],
    });
  });

  test('the StackSet template is the member role stack, synthesized', () => {
    const template = build({ memberAccountIds: ['111111111111'] });
    const stackSet = Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0] as any;
    expect(JSON.parse(stackSet.Properties.TemplateBody)).toEqual(
      synthesizeMemberRoleTemplate({ roleName: 'BillingMCPCrossAccountRole' }),
    );
  });

  test('next to the server it passes its own account and the execution role ARN as parameters', () => {
    const template = build({ memberAccountIds: ['111111111111'] });
    const stackSet = Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0] as any;
    const values = { refs: { 'AWS::AccountId': '123456789012', 'AWS::Partition': 'aws' } };
    expect(evaluateCfn(stackSet.Properties.Parameters, values)).toEqual([
      { ParameterKey: 'SourceAccountId', ParameterValue: '123456789012' },
      { ParameterKey: 'ExecutionRoleArn', ParameterValue: EXECUTION_ROLE_ARN },
    ]);
    template.templateMatches({ Parameters: { SourceAccountId: Match.absent() } });
  });

  test('in another account (management) without a known source account, it asks for one as a parameter', () => {
    const template = build({ memberAccountIds: ['111111111111'], env: { account: '333333333333' } });
    template.hasParameter('SourceAccountId', { AllowedPattern: '^\\d{12}$' });
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      Parameters: Match.arrayWith([
        { ParameterKey: 'SourceAccountId', ParameterValue: { Ref: 'SourceAccountId' } },
      ]),
    });
  });

  test('a configured source account and external id are passed to the member stacks', () => {
    const template = build({
      memberAccountIds: ['111111111111'],
      sourceAccountId: '123456789012',
      externalId: 'ext-1',
    });
    const stackSet = Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0] as any;
    expect(evaluateCfn(stackSet.Properties.Parameters, { refs: { 'AWS::Partition': 'aws' } })).toEqual([
      { ParameterKey: 'SourceAccountId', ParameterValue: '123456789012' },
      { ParameterKey: 'ExecutionRoleArn', ParameterValue: EXECUTION_ROLE_ARN },
      { ParameterKey: 'ExternalId', ParameterValue: 'ext-1' },
    ]);
  });

  test('the member role policy holds only catalogue actions', () => {
    const template = build({ memberAccountIds: ['111111111111'] });
    const stackSet = Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0] as any;
    const body = Template.fromJSON(JSON.parse(stackSet.Properties.TemplateBody));
    const actions = policyStatements(body).flatMap(actionsOf);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => !BILLING_READ_ONLY_ACTIONS.includes(a))).toEqual([]);
  });
});
