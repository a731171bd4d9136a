import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { BillingMcpStacks } from '../../lib/app';
import { BILLING_READ_ONLY_ACTIONS } from '../../server/src/aws/actions';
import { actionsOf, buildTestApp, cdkJsonContext, evaluateCfn, policyStatements } from './helpers';

/** Every key set, as a platform team with an organization and a delegated administrator would. */
const EVERY_OPTION = {
  stackPrefix: 'Acme-Billing',
  executionRoleName: 'AcmeBillingMcpRole',
  crossAccountRoleName: 'AcmeBillingRead',
  cognitoDomainPrefix: 'acme-billing-mcp',
  memberAccountIds: '111111111111,222222222222',
  organizationalUnitIds: 'ou-abcd-12345678,ou-abcd-87654321',
  organizationId: 'o-abc1234567',
  stackSetRegion: 'eu-west-1',
  stackSetCallAs: 'DELEGATED_ADMIN',
  managementAccountId: '333333333333',
  sourceAccountId: '444444444444',
  extraAllowedClientIds: 'other-client',
  imageBuild: 'codebuild',
  deployMemberRole: 'true',
  costDataExport: 'true',
  storageLens: 'true',
  logLevel: 'debug',
  cacheTtlSeconds: '600',
  cacheMaxEntries: '500',
  toolDeadlineSeconds: '50',
  fanoutConcurrency: '4',
  maxPages: '5',
  crossAccountExternalId: 'acme-billing-ext',
};

/** Services whose actions only the catalogue may grant. */
const BILLING_SERVICES = new Set(BILLING_READ_ONLY_ACTIONS.map((a) => a.split(':')[0]));
const WRITE_VERB =
  /^(Create|Delete|Update|Put|Tag|Untag|Associate|Disassociate|Batch|Modify|Start|Stop|Accept|Reject|Execute|Provide|Purchase|Register|Deregister|Set|Enable|Disable)/;

function nagViolations(app: App): string[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`),
  );
}

function allTemplates(stacks: BillingMcpStacks): Template[] {
  const templates = Object.values(stacks)
    .filter((s) => s !== undefined)
    .map((s) => Template.fromStack(s));
  // The StackSets' template bodies are deployed too.
  for (const t of templates) {
    for (const r of Object.values(t.findResources('AWS::CloudFormation::StackSet')) as any[]) {
      templates.push(Template.fromJSON(JSON.parse(r.Properties.TemplateBody)));
    }
  }
  return templates;
}

describe('buildApp with every option', () => {
  let app: App;
  let stacks: BillingMcpStacks;
  beforeAll(() => {
    ({ app, stacks } = buildTestApp(EVERY_OPTION));
  });

  test('synthesizes every stack, without dependency cycles', () => {
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      'Acme-Billing-Auth',
      'Acme-Billing-CostData',
      'Acme-Billing-CostExport',
      'Acme-Billing-ExecutionRole',
      'Acme-Billing-MemberRole',
      'Acme-Billing-MemberRoles',
      'Acme-Billing-Runtime',
      'Acme-Billing-StorageLens',
    ]);
    expect(
      stacks.runtime.dependencies.map((s) => s.stackName).sort(),
      // The runtime consumes the role and the Cognito objects; nothing consumes the runtime.
    ).toEqual(['Acme-Billing-Auth', 'Acme-Billing-ExecutionRole']);
    expect(stacks.executionRole.dependencies).toEqual([]);
    expect(stacks.auth.dependencies).toEqual([]);
  });

  test('puts the server stacks in the source account and the StackSets in the management account', () => {
    expect(stacks.runtime.account).toBe('444444444444');
    expect(stacks.memberRoles?.account).toBe('333333333333');
    expect(stacks.memberRole?.account).toBe('333333333333');
  });

  test('has zero unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(nagViolations(app)).toEqual([]);
  });

  test('no policy anywhere grants a billing action outside the catalogue, or any billing write', () => {
    const billingActions = allTemplates(stacks)
      .flatMap(policyStatements)
      .flatMap(actionsOf)
      .filter((a) => BILLING_SERVICES.has(a.split(':')[0]) && a !== 'sts:AssumeRole');
    expect(billingActions.length).toBeGreaterThan(BILLING_READ_ONLY_ACTIONS.length);
    expect(billingActions.filter((a) => !BILLING_READ_ONLY_ACTIONS.includes(a))).toEqual([]);
    expect(billingActions.filter((a) => WRITE_VERB.test(a.split(':')[1]))).toEqual([]);
  });

  test('the StackSet trusts the configured execution role, which may assume exactly the role the StackSet creates', () => {
    const memberRoles = Template.fromStack(stacks.memberRoles!);
    const stackSets = Object.values(memberRoles.findResources('AWS::CloudFormation::StackSet')) as any[];
    // One service-managed for the OUs, one self-managed for the account list.
    expect(stackSets).toHaveLength(2);
    for (const stackSet of stackSets) {
      expect(evaluateCfn(stackSet.Properties.Parameters, { refs: { 'AWS::Partition': 'aws' } })).toEqual([
        { ParameterKey: 'SourceAccountId', ParameterValue: '444444444444' },
        {
          ParameterKey: 'ExecutionRoleArn',
          ParameterValue: 'arn:aws:iam::444444444444:role/AcmeBillingMcpRole',
        },
        { ParameterKey: 'ExternalId', ParameterValue: 'acme-billing-ext' },
      ]);
      const body = JSON.parse(stackSet.Properties.TemplateBody);
      expect((Object.values(body.Resources)[0] as any).Properties.RoleName).toBe('AcmeBillingRead');
    }
    Template.fromStack(stacks.executionRole).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'AcmeBillingMcpRole',
    });
    const assumable = policyStatements(Template.fromStack(stacks.executionRole))
      .filter((s) => actionsOf(s).includes('sts:AssumeRole'))
      .flatMap((s) => [s.Resource].flat())
      .map((r) => evaluateCfn(r, { refs: { 'AWS::Partition': 'aws' } }));
    expect(assumable).toEqual([
      'arn:aws:iam::111111111111:role/AcmeBillingRead',
      'arn:aws:iam::222222222222:role/AcmeBillingRead',
      'arn:aws:iam::*:role/AcmeBillingRead',
    ]);
  });

  test('puts the Storage Lens configuration in the management account and tells the runtime its table', () => {
    expect(stacks.storageLens?.account).toBe('333333333333');
    expect(Template.fromStack(stacks.storageLens!).toJSON().Parameters.OrganizationArn.Default).toBe(
      'arn:aws:organizations::333333333333:organization/o-abc1234567',
    );
    Template.fromStack(stacks.runtime).hasResourceProperties('AWS::BedrockAgentCore::Runtime', {
      EnvironmentVariables: {
        COST_DATA_ENGINE: 'athena',
        ATHENA_TABLE: 'focus',
        STORAGE_LENS_TABLE: 'storage_lens',
      },
    });
  });

  test('passes every server setting through', () => {
    Template.fromStack(stacks.runtime).hasResourceProperties('AWS::BedrockAgentCore::Runtime', {
      AgentRuntimeName: 'Acme_Billing_Server',
      EnvironmentVariables: {
        CROSS_ACCOUNT_ROLE_NAME: 'AcmeBillingRead',
        ALLOWED_TARGET_ACCOUNTS: '*',
        LOG_LEVEL: 'debug',
        CACHE_TTL_SECONDS: '600',
        CACHE_MAX_ENTRIES: '500',
        TOOL_DEADLINE_SECONDS: '50',
        FANOUT_CONCURRENCY: '4',
        MAX_PAGES: '5',
        CROSS_ACCOUNT_EXTERNAL_ID: 'acme-billing-ext',
      },
    });
  });
});

describe('buildApp with cdk.json alone', () => {
  let app: App;
  let stacks: BillingMcpStacks;
  beforeAll(() => {
    ({ app, stacks } = buildTestApp());
  });

  test('has the three server stacks and no StackSet stack', () => {
    expect(stacks.memberRoles).toBeUndefined();
    expect(stacks.memberRole).toBeUndefined();
    expect(
      app
        .synth()
        .stacks.map((s) => s.stackName)
        .sort(),
    ).toEqual(['BillingMcp-Auth', 'BillingMcp-ExecutionRole', 'BillingMcp-Runtime']);
  });

  test('has zero unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(nagViolations(app)).toEqual([]);
  });
});

describe('buildApp with an existing table', () => {
  let app: App;
  let stacks: BillingMcpStacks;
  beforeAll(() => {
    ({ app, stacks } = buildTestApp({
      sourceAccountId: '444444444444',
      costDataTable: 'cur_exports.focus_1_2',
      athenaWorkgroup: 'finops',
    }));
  });

  test('adds the access stack instead of the export, and points the runtime at the table', () => {
    expect(stacks.costData).toBeUndefined();
    expect(stacks.costExport).toBeUndefined();
    expect(stacks.storageLens).toBeUndefined();
    expect(
      app
        .synth()
        .stacks.map((s) => s.stackName)
        .sort(),
    ).toEqual([
      'BillingMcp-Auth',
      'BillingMcp-CostDataAccess',
      'BillingMcp-ExecutionRole',
      'BillingMcp-Runtime',
    ]);
    expect(stacks.costDataAccess?.account).toBe('444444444444');
    Template.fromStack(stacks.runtime).hasResourceProperties('AWS::BedrockAgentCore::Runtime', {
      EnvironmentVariables: {
        COST_DATA_ENGINE: 'athena',
        ATHENA_WORKGROUP: 'finops',
        ATHENA_DATABASE: 'cur_exports',
        ATHENA_TABLE: 'focus_1_2',
      },
    });
    const env = Template.fromStack(stacks.runtime).findResources('AWS::BedrockAgentCore::Runtime');
    expect(JSON.stringify(env)).not.toContain('STORAGE_LENS_TABLE');
  });

  test('has zero unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(nagViolations(app)).toEqual([]);
  });
});

describe('buildApp with an existing CUR 2.0 table (costDataSchema=cur2)', () => {
  test('the runtime is told COST_DATA_SCHEMA=cur2 beside the table', () => {
    const { stacks } = buildTestApp({
      sourceAccountId: '444444444444',
      costDataTable: 'cur_exports.cur2_data',
      athenaWorkgroup: 'finops',
      costDataSchema: 'cur2',
    });
    Template.fromStack(stacks.runtime).hasResourceProperties('AWS::BedrockAgentCore::Runtime', {
      EnvironmentVariables: {
        COST_DATA_ENGINE: 'athena',
        ATHENA_TABLE: 'cur2_data',
        COST_DATA_SCHEMA: 'cur2',
      },
    });
    // Control: the FOCUS table of the same app passes no schema (the server's default).
    const focus = buildTestApp({
      sourceAccountId: '444444444444',
      costDataTable: 'cur_exports.focus_1_2',
      athenaWorkgroup: 'finops',
    });
    const env = Template.fromStack(focus.stacks.runtime).findResources('AWS::BedrockAgentCore::Runtime');
    expect(JSON.stringify(env)).not.toContain('COST_DATA_SCHEMA');
  });
});

describe('bin/app.ts', () => {
  test('a bad -c value fails synth with exactly one message naming the key', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-mcp-bin-'));
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'bin/app.ts'], {
      cwd: path.join(__dirname, '..', '..'),
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), fanoutConcurrency: '0' }),
      },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'Invalid value for context key "fanoutConcurrency": "0". Allowed: a whole number from 1 to 64.\n',
    );
  });
});
