import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CostDataAccessStack,
  READ_THROUGH_ATHENA_SID,
  RESULTS_THROUGH_ATHENA_SID,
} from '../../lib/cost-data-access-stack';
import { ATHENA_QUERY_ACCESS, COST_DATA_OPERATIONS, iamActionsFor } from '../../server/src/aws/actions';
import { simulate } from './checks/iam-simulation';
import { evaluateCfn } from './helpers';

const SOURCE = '444444444444';
const OTHER = '999999999999';
const REGION = 'eu-west-1';
const ROLE = `arn:aws:iam::${SOURCE}:role/BillingMCPServerAgentCoreRole`;

const app = new App();
const roles = new Stack(app, 'Roles', { env: { account: SOURCE, region: REGION } });
const role = new iam.Role(roles, 'Role', {
  assumedBy: new iam.ServicePrincipal('bedrock-agentcore.amazonaws.com'),
});
const stack = new CostDataAccessStack(app, 'CostDataAccess', {
  env: { account: SOURCE, region: REGION },
  executionRole: role,
  workgroup: 'finops',
  database: 'cur_exports',
  table: 'focus_1_2',
});
const template = Template.fromStack(stack);
const [policyResource] = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
const document = evaluateCfn(policyResource.Properties.PolicyDocument, {
  refs: { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': SOURCE },
}) as { Statement: any[] };
const bySid = Object.fromEntries(document.Statement.map((s) => [s.Sid, s]));

const VIA_ATHENA = { 'aws:CalledVia': ['athena.amazonaws.com'] };
const asRole = (
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
  account = SOURCE,
) =>
  simulate(
    {
      principal: ROLE,
      action,
      resource,
      resourceAccount: account,
      context: { 'aws:ResourceAccount': account, ...context },
    },
    { identity: [document] },
  );

test('the catalogue’s Athena operations on the one workgroup, Glue reads on the one database and table', () => {
  expect(Object.keys(bySid).sort()).toEqual(
    ['AthenaWorkGroup', 'GlueTable', READ_THROUGH_ATHENA_SID, RESULTS_THROUGH_ATHENA_SID].sort(),
  );
  expect(bySid.AthenaWorkGroup.Action).toEqual(iamActionsFor(COST_DATA_OPERATIONS));
  expect(bySid.AthenaWorkGroup.Resource).toBe(`arn:aws:athena:${REGION}:${SOURCE}:workgroup/finops`);
  expect(bySid.GlueTable.Action).toEqual([...ATHENA_QUERY_ACCESS.glue]);
  expect(bySid.GlueTable.Resource).toEqual([
    `arn:aws:glue:${REGION}:${SOURCE}:catalog`,
    `arn:aws:glue:${REGION}:${SOURCE}:database/cur_exports`,
    `arn:aws:glue:${REGION}:${SOURCE}:table/cur_exports/focus_1_2`,
  ]);
  // Attached to the execution role.
  expect(JSON.stringify(policyResource.Properties.Roles)).toContain('Role');
});

test('S3 only through Athena: reads in any account, results writes in this account only', () => {
  expect(bySid[READ_THROUGH_ATHENA_SID]).toEqual({
    Sid: READ_THROUGH_ATHENA_SID,
    Effect: 'Allow',
    Action: ['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket'],
    Resource: '*',
    Condition: { 'ForAnyValue:StringEquals': VIA_ATHENA },
  });
  expect(bySid[RESULTS_THROUGH_ATHENA_SID]).toEqual({
    Sid: RESULTS_THROUGH_ATHENA_SID,
    Effect: 'Allow',
    Action: [
      ...new Set([...ATHENA_QUERY_ACCESS.resultsBucket, ...ATHENA_QUERY_ACCESS.resultsObjects]),
    ].sort(),
    Resource: '*',
    Condition: { 'ForAnyValue:StringEquals': VIA_ATHENA, StringEquals: { 'aws:ResourceAccount': SOURCE } },
  });
});

describe('simulated', () => {
  test('may query the table in the workgroup, and read and write S3 on Athena’s behalf', async () => {
    expect(
      await asRole('athena:StartQueryExecution', `arn:aws:athena:${REGION}:${SOURCE}:workgroup/finops`),
    ).toBe('Allowed');
    expect(
      await asRole('glue:GetTable', `arn:aws:glue:${REGION}:${SOURCE}:table/cur_exports/focus_1_2`),
    ).toBe('Allowed');
    expect(await asRole('s3:GetObject', 'arn:aws:s3:::cur-bucket/focus/data/x.parquet', VIA_ATHENA)).toBe(
      'Allowed',
    );
    expect(await asRole('s3:PutObject', 'arn:aws:s3:::athena-results/q.csv', VIA_ATHENA)).toBe('Allowed');
  });

  test('may not touch S3 directly, nor write through Athena into another account', async () => {
    expect(await asRole('s3:GetObject', 'arn:aws:s3:::cur-bucket/focus/data/x.parquet')).toBe(
      'ImplicitlyDenied',
    );
    expect(await asRole('s3:PutObject', 'arn:aws:s3:::athena-results/q.csv')).toBe('ImplicitlyDenied');
    expect(await asRole('s3:PutObject', 'arn:aws:s3:::their-bucket/q.csv', VIA_ATHENA, OTHER)).toBe(
      'ImplicitlyDenied',
    );
    expect(await asRole('s3:DeleteObject', 'arn:aws:s3:::athena-results/q.csv', VIA_ATHENA)).toBe(
      'ImplicitlyDenied',
    );
  });

  test('may not query another workgroup or table, nor create a table to read other data through', async () => {
    expect(
      await asRole('athena:StartQueryExecution', `arn:aws:athena:${REGION}:${SOURCE}:workgroup/primary`),
    ).toBe('ImplicitlyDenied');
    expect(await asRole('glue:GetTable', `arn:aws:glue:${REGION}:${SOURCE}:table/cur_exports/other`)).toBe(
      'ImplicitlyDenied',
    );
    expect(await asRole('glue:CreateTable', `arn:aws:glue:${REGION}:${SOURCE}:table/cur_exports/mine`)).toBe(
      'ImplicitlyDenied',
    );
  });
});

test('tells the server the engine, workgroup, database and table', () => {
  expect(stack.serverEnvironment).toEqual({
    COST_DATA_ENGINE: 'athena',
    ATHENA_WORKGROUP: 'finops',
    ATHENA_DATABASE: 'cur_exports',
    ATHENA_TABLE: 'focus_1_2',
  });
});

test('cdk-nag finds nothing unacknowledged', () => {
  const report = new AwsSolutionsChecks().validateScope(app);
  expect(
    report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
  ).toEqual([]);
});

test('a CUR 2.0 table: the server is told COST_DATA_SCHEMA=cur2, and the grants are the same', () => {
  const curApp = new App();
  const curRoles = new Stack(curApp, 'Roles', { env: { account: SOURCE, region: REGION } });
  const curRole = new iam.Role(curRoles, 'Role', {
    assumedBy: new iam.ServicePrincipal('bedrock-agentcore.amazonaws.com'),
  });
  const props = {
    env: { account: SOURCE, region: REGION },
    executionRole: curRole,
    workgroup: 'finops',
    database: 'cur_exports',
    table: 'cur2_data',
  };
  const cur = new CostDataAccessStack(curApp, 'CurAccess', { ...props, schema: 'cur2' });
  expect(cur.serverEnvironment).toEqual({
    COST_DATA_ENGINE: 'athena',
    ATHENA_WORKGROUP: 'finops',
    ATHENA_DATABASE: 'cur_exports',
    ATHENA_TABLE: 'cur2_data',
    COST_DATA_SCHEMA: 'cur2',
  });
  // Control: without a schema the variable is not set (the server's default, FOCUS), as for a FOCUS table.
  const plain = new CostDataAccessStack(curApp, 'PlainAccess', props);
  expect(plain.serverEnvironment).not.toHaveProperty('COST_DATA_SCHEMA');
  const policyOf = (s: Stack) =>
    Object.values(Template.fromStack(s).findResources('AWS::IAM::Policy'))[0] as any;
  expect(policyOf(cur).Properties.PolicyDocument).toEqual(policyOf(plain).Properties.PolicyDocument);
});
