import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CostDataStack, STORAGE_LENS_TABLE_NAME } from '../../lib/cost-data-stack';
import { StorageLensStack } from '../../lib/storage-lens-stack';
import { evaluateCfn } from './helpers';

const MANAGEMENT = '333333333333';
const SOURCE = '444444444444';
const REGION = 'eu-west-1';
const BUCKET = 'billing-mcp-focus-444444444444';

// The two sides as the app pairs them: the configuration in the management account, the destination in the source
// account's cost-data stack, both in one region (Storage Lens exports only to a bucket of its home region).
const app = new App();
const roles = new Stack(app, 'Roles', { env: { account: SOURCE, region: REGION } });
const role = new iam.Role(roles, 'Role', {
  assumedBy: new iam.ServicePrincipal('bedrock-agentcore.amazonaws.com'),
});
const destinationStack = new CostDataStack(app, 'CostData', {
  env: { account: SOURCE, region: REGION },
  executionRole: role,
  exportAccountId: MANAGEMENT,
  bucketName: BUCKET,
  storageLens: { accountId: MANAGEMENT },
});
const lensStack = new StorageLensStack(app, 'StorageLens', {
  env: { account: MANAGEMENT, region: REGION },
  bucketName: BUCKET,
  bucketOwnerAccountId: SOURCE,
  organizationId: 'o-abc1234567',
  managementAccountId: MANAGEMENT,
});
const lens = Template.fromStack(lensStack);
const destination = Template.fromStack(destinationStack);

const refs = (account: string, extra: Record<string, string> = {}) => ({
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': account,
  ...extra,
});
/** The configuration as CloudFormation would create it, with the organization parameter at its default. */
function configuration(): any {
  const [resource] = Object.values(lens.findResources('AWS::S3::StorageLens')) as any[];
  const parameter = lens.toJSON().Parameters.OrganizationArn;
  return evaluateCfn(resource.Properties.StorageLensConfiguration, {
    refs: refs(MANAGEMENT, { OrganizationArn: parameter.Default }),
  });
}

test('one organization-level configuration, enabled, no advanced metrics', () => {
  // One configuration: the dashboard and export of the whole organization.
  lens.resourceCountIs('AWS::S3::StorageLens', 1);
  const config = configuration();
  expect(config.IsEnabled).toBe(true);
  expect(config.AwsOrg).toEqual({ Arn: `arn:aws:organizations::${MANAGEMENT}:organization/o-abc1234567` });
  // No advanced (paid) metric group: get-storage-metrics reads none of them.
  expect(config.AccountLevel).toEqual({ BucketLevel: {} });
});

test('the organization ARN is a parameter whose pattern admits the default and refuses anything else', () => {
  const parameter = lens.toJSON().Parameters.OrganizationArn;
  const pattern = new RegExp(parameter.AllowedPattern);
  expect(pattern.test(parameter.Default)).toBe(true);
  expect(pattern.test('arn:aws:organizations::333333333333:organization/o-bad')).toBe(false);
  expect(pattern.test('o-abc1234567')).toBe(false);
});

test('exports Parquet (schema V_1, SSE-S3) into the source account bucket under storage-lens/', () => {
  expect(configuration().DataExport).toEqual({
    S3BucketDestination: {
      AccountId: SOURCE,
      Arn: `arn:aws:s3:::${BUCKET}`,
      Format: 'Parquet',
      OutputSchemaVersion: 'V_1',
      Prefix: 'storage-lens',
      Encryption: { SSES3: {} },
    },
  });
});

test('the destination admits exactly this configuration and its table reads where it writes', () => {
  const config = configuration();
  const bucketId = Object.keys(destination.findResources('AWS::S3::Bucket'))[0];
  const values = {
    refs: refs(SOURCE, { [bucketId]: BUCKET }),
    getAtts: { [`${bucketId}.Arn`]: `arn:aws:s3:::${BUCKET}` },
  };
  const [policy] = Object.values(destination.findResources('AWS::S3::BucketPolicy')) as any[];
  const write = (evaluateCfn(policy.Properties.PolicyDocument, values) as any).Statement.find(
    (s: any) => s.Sid === 'StorageLensWrite',
  );
  // The configuration's ARN: arn:aws:s3:<home region>:<owner>:storage-lens/<id>, the owner being the account the
  // configuration stack deploys to.
  expect(write.Condition.StringEquals['aws:SourceArn']).toBe(
    `arn:aws:s3:${REGION}:${lensStack.account}:storage-lens/${config.Id}`,
  );
  expect(write.Condition.StringEquals['aws:SourceAccount']).toBe(lensStack.account);
  const prefix = config.DataExport.S3BucketDestination.Prefix;
  expect(write.Resource).toBe(`${config.DataExport.S3BucketDestination.Arn}/${prefix}/*`);
  const table = (Object.values(destination.findResources('AWS::Glue::Table')) as any[]).find(
    (t) => t.Properties.TableInput.Name === STORAGE_LENS_TABLE_NAME,
  );
  // The delivery layout: <prefix>/StorageLens/<owner account>/<configuration id>/V_1/reports/dt=YYYY-MM-DD/.
  expect((evaluateCfn(table.Properties.TableInput.StorageDescriptor, values) as any).Location).toBe(
    `s3://${BUCKET}/${prefix}/StorageLens/${lensStack.account}/${config.Id}/V_1/reports/`,
  );
});
