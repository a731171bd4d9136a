import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ATHENA_QUERY_ACCESS } from '../../server/src/aws/actions';
import { FOCUS_TABLE_COLUMNS, STORAGE_LENS_COLUMNS } from '../../server/src/query/focus-columns';
import { STORAGE_GROUPS, storageQuery } from '../../server/src/query/sql';
import {
  BYTES_SCANNED_CUTOFF,
  CostDataStack,
  DATABASE_NAME,
  EXPORT_NAME,
  RESULTS_PREFIX,
  STORAGE_LENS_CONFIG_ID,
  STORAGE_LENS_RETENTION_DAYS,
  STORAGE_LENS_TABLE_NAME,
  TABLE_NAME,
  WORKGROUP_NAME,
} from '../../lib/cost-data-stack';
import { CostExportStack } from '../../lib/cost-export-stack';
import { evaluateCfn } from './helpers';

const MANAGEMENT = '333333333333';
const SOURCE = '444444444444';

function build() {
  const app = new App();
  const roles = new Stack(app, 'Roles', { env: { account: SOURCE, region: 'eu-west-1' } });
  const role = new iam.Role(roles, 'Role', {
    assumedBy: new iam.ServicePrincipal('bedrock-agentcore.amazonaws.com'),
  });
  const data = new CostDataStack(app, 'CostData', {
    env: { account: SOURCE, region: 'eu-west-1' },
    executionRole: role,
    exportAccountId: MANAGEMENT,
  });
  const exporting = new CostExportStack(app, 'CostExport', {
    env: { account: MANAGEMENT, region: 'us-east-1' },
    bucketName: 'billing-mcp-focus-444444444444',
    bucketOwnerAccountId: SOURCE,
    bucketRegion: 'eu-west-1',
  });
  const withLens = new CostDataStack(app, 'CostDataWithLens', {
    env: { account: SOURCE, region: 'eu-west-1' },
    executionRole: role,
    exportAccountId: MANAGEMENT,
    bucketName: 'billing-mcp-focus-444444444444',
    storageLens: { accountId: MANAGEMENT },
  });
  return {
    app,
    data: Template.fromStack(data),
    exporting: Template.fromStack(exporting),
    stack: data,
    lens: Template.fromStack(withLens),
    lensStack: withLens,
  };
}

const { app, data, exporting, stack, lens, lensStack } = build();

/** The bucket policy statements of a template, by Sid. */
function bucketStatements(template: Template): Record<string, any> {
  const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy')) as any[];
  return Object.fromEntries(
    (policy.Properties.PolicyDocument.Statement as any[]).map((st, i) => [st.Sid ?? `#${i}`, st]),
  );
}

/** The template's values with the bucket's Ref resolved to its name, as CloudFormation would. */
function resolved(template: Template, expr: unknown): any {
  const bucketId = Object.keys(template.findResources('AWS::S3::Bucket'))[0];
  return evaluateCfn(expr, {
    refs: {
      'AWS::Partition': 'aws',
      'AWS::Region': 'eu-west-1',
      'AWS::AccountId': SOURCE,
      [bucketId]: 'the-bucket',
    },
    getAtts: { [`${bucketId}.Arn`]: 'arn:aws:s3:::the-bucket' },
  });
}

test('the bucket is encrypted, TLS only, private, with lifecycle rules for results and uploads', () => {
  data.hasResourceProperties('AWS::S3::Bucket', {
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
    LifecycleConfiguration: {
      Rules: Match.arrayWith([
        Match.objectLike({ Prefix: `${RESULTS_PREFIX}/`, ExpirationInDays: 7, Status: 'Enabled' }),
        Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
      ]),
    },
  });
  data.hasResourceProperties('AWS::S3::BucketPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    },
  });
});

test('only the Data Exports service principals, for the management account, may write', () => {
  data.hasResourceProperties('AWS::S3::BucketPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Sid: 'DataExportsWrite',
          Effect: 'Allow',
          Principal: { Service: ['bcm-data-exports.amazonaws.com', 'billingreports.amazonaws.com'] },
          Action: ['s3:PutObject', 's3:GetBucketPolicy'],
          Condition: {
            StringEquals: { 'aws:SourceAccount': MANAGEMENT },
            StringLike: {
              'aws:SourceArn': [
                {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, `:cur:us-east-1:${MANAGEMENT}:definition/*`],
                  ],
                },
                {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, `:bcm-data-exports:us-east-1:${MANAGEMENT}:export/*`],
                  ],
                },
              ],
            },
          },
        }),
      ]),
    },
  });
});

test('the Glue table projects billing_period partitions onto the export layout and lists every FOCUS column', () => {
  data.hasResourceProperties('AWS::Glue::Table', {
    DatabaseName: DATABASE_NAME,
    TableInput: Match.objectLike({
      Name: TABLE_NAME,
      PartitionKeys: [{ Name: 'billing_period', Type: 'string' }],
      Parameters: Match.objectLike({
        'projection.enabled': 'true',
        'projection.billing_period.type': 'date',
        'projection.billing_period.format': 'yyyy-MM',
        'storage.location.template': Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([`/focus/${EXPORT_NAME}/data/BILLING_PERIOD=\${billing_period}`])],
        }),
      }),
      StorageDescriptor: Match.objectLike({
        Columns: FOCUS_TABLE_COLUMNS.map(([name, type]) => ({ Name: name.toLowerCase(), Type: type })),
      }),
    }),
  });
});

test('the workgroup enforces its configuration: encrypted results in the bucket and a bytes-scanned cutoff', () => {
  data.hasResourceProperties('AWS::Athena::WorkGroup', {
    Name: WORKGROUP_NAME,
    WorkGroupConfiguration: {
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF,
      ResultConfiguration: {
        EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        OutputLocation: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`/${RESULTS_PREFIX}/`])] }),
      },
    },
  });
});

test("the execution role's statements are scoped to the workgroup, database, table and prefixes", () => {
  const [policy] = Object.values(data.findResources('AWS::IAM::Policy')) as any[];
  const statements = policy.Properties.PolicyDocument.Statement as any[];
  const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
  expect(Object.keys(bySid).sort()).toEqual([
    'AthenaWorkGroup',
    'ExportBucket',
    'ExportObjects',
    'GlueTable',
    'QueryResults',
  ]);
  expect(bySid.AthenaWorkGroup.Action).toEqual([
    'athena:GetQueryExecution',
    'athena:GetQueryResults',
    'athena:StartQueryExecution',
    'athena:StopQueryExecution',
  ]);
  expect(JSON.stringify(bySid.AthenaWorkGroup.Resource)).toContain(`:workgroup/${WORKGROUP_NAME}`);
  expect(bySid.GlueTable.Action).toEqual([...ATHENA_QUERY_ACCESS.glue]);
  expect(JSON.stringify(bySid.GlueTable.Resource)).toContain(`:table/${DATABASE_NAME}/${TABLE_NAME}`);
  expect(JSON.stringify(bySid.ExportObjects.Resource)).toContain('/focus/*');
  expect(JSON.stringify(bySid.QueryResults.Resource)).toContain(`/${RESULTS_PREFIX}/*`);
  // Nothing on "*".
  expect(statements.filter((s) => JSON.stringify(s.Resource) === '"*"')).toEqual([]);
  expect(stack.serverEnvironment).toEqual({
    COST_DATA_ENGINE: 'athena',
    ATHENA_WORKGROUP: WORKGROUP_NAME,
    ATHENA_DATABASE: DATABASE_NAME,
    ATHENA_TABLE: TABLE_NAME,
  });
});

test('the FOCUS 1.2 export: explicit columns, Parquet, overwrite, refreshed with the data, to the source bucket', () => {
  exporting.hasResourceProperties('AWS::BCMDataExports::Export', {
    Export: {
      Name: EXPORT_NAME,
      DataQuery: {
        QueryStatement: `SELECT ${FOCUS_TABLE_COLUMNS.map(([n]) => n).join(', ')} FROM FOCUS_1_2_AWS`,
        TableConfigurations: { FOCUS_1_2_AWS: {} },
      },
      DestinationConfigurations: {
        S3Destination: {
          S3Bucket: 'billing-mcp-focus-444444444444',
          S3BucketOwner: SOURCE,
          S3Region: 'eu-west-1',
          S3Prefix: 'focus',
          S3OutputConfigurations: {
            Compression: 'PARQUET',
            Format: 'PARQUET',
            OutputType: 'CUSTOM',
            Overwrite: 'OVERWRITE_REPORT',
          },
        },
      },
      RefreshCadence: { Frequency: 'SYNCHRONOUS' },
    },
  });
});

describe('with the Storage Lens export', () => {
  test('only the Storage Lens service, for the one configuration of the management account, may write its prefix', () => {
    const statement = resolved(lens, bucketStatements(lens).StorageLensWrite);
    expect(statement).toEqual({
      Sid: 'StorageLensWrite',
      Effect: 'Allow',
      Principal: { Service: 'storage-lens.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::the-bucket/storage-lens/*',
      Condition: {
        StringEquals: {
          's3:x-amz-acl': 'bucket-owner-full-control',
          'aws:SourceAccount': MANAGEMENT,
          'aws:SourceArn': `arn:aws:s3:eu-west-1:${MANAGEMENT}:storage-lens/${STORAGE_LENS_CONFIG_ID}`,
        },
      },
    });
    // Negative control: without storageLens the bucket admits no Storage Lens writes.
    expect(bucketStatements(data).StorageLensWrite).toBeUndefined();
    expect(JSON.stringify(bucketStatements(data))).not.toContain('storage-lens');
  });

  test('its Glue table projects dt partitions onto the reports folder and lists the export schema', () => {
    const tables = Object.values(lens.findResources('AWS::Glue::Table')) as any[];
    const table = tables.find((t) => t.Properties.TableInput.Name === STORAGE_LENS_TABLE_NAME);
    const input = resolved(lens, table.Properties.TableInput);
    const reports = `s3://the-bucket/storage-lens/StorageLens/${MANAGEMENT}/${STORAGE_LENS_CONFIG_ID}/V_1/reports`;
    expect(table.Properties.DatabaseName).toBe(DATABASE_NAME);
    expect(input.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    expect(input.Parameters).toMatchObject({
      classification: 'parquet',
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.interval.unit': 'DAYS',
      'storage.location.template': `${reports}/dt=\${dt}`,
    });
    expect(input.StorageDescriptor.Location).toBe(`${reports}/`);
    expect(input.StorageDescriptor.Columns).toEqual(
      STORAGE_LENS_COLUMNS.map(([Name, Type]) => ({ Name, Type })),
    );
    // Every column the get-storage-metrics SQL reads, for every grouping and filter, is declared (dt: the partition).
    const read = STORAGE_GROUPS.flatMap(
      (groupBy) =>
        storageQuery({ dates: ['2026-11-23'], groupBy, accountIds: [SOURCE], buckets: ['b-1'] }).columns,
    );
    const declared = [...input.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name), 'dt'];
    expect(read.length).toBeGreaterThan(4);
    expect(read.filter((c) => !declared.includes(c))).toEqual([]);
    // One table without the export, two with it.
    data.resourceCountIs('AWS::Glue::Table', 1);
    lens.resourceCountIs('AWS::Glue::Table', 2);
  });

  test('its reports expire after the retention period', () => {
    lens.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'storage-lens/', ExpirationInDays: STORAGE_LENS_RETENTION_DAYS }),
        ]),
      },
    });
  });

  test('the execution role may read its table and prefix, and the server gets STORAGE_LENS_TABLE', () => {
    const [policy] = Object.values(lens.findResources('AWS::IAM::Policy')) as any[];
    const bySid = Object.fromEntries(
      (resolved(lens, policy.Properties.PolicyDocument).Statement as any[]).map((st) => [st.Sid, st]),
    );
    expect(bySid.GlueTable.Resource).toContain(
      `arn:aws:glue:eu-west-1:${SOURCE}:table/${DATABASE_NAME}/${STORAGE_LENS_TABLE_NAME}`,
    );
    expect(bySid.StorageLensObjects).toEqual({
      Sid: 'StorageLensObjects',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::the-bucket/storage-lens/*',
    });
    expect(lensStack.serverEnvironment.STORAGE_LENS_TABLE).toBe(STORAGE_LENS_TABLE_NAME);
    expect(stack.serverEnvironment.STORAGE_LENS_TABLE).toBeUndefined();
  });
});

test('cdk-nag finds nothing unacknowledged', () => {
  const report = new AwsSolutionsChecks().validateScope(app);
  const open = report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
  );
  expect(open).toEqual([]);
});
