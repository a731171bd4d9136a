import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ATHENA_QUERY_ACCESS, COST_DATA_OPERATIONS, iamActionsFor } from '../server/src/aws/actions';
import { FOCUS_TABLE_COLUMNS } from '../server/src/query/focus-columns';

/** The S3 prefix the Data Export delivers under; the export's own folder (its name) follows it. */
export const EXPORT_PREFIX = 'focus';
/** The Data Export's name: the folder `<prefix>/<name>/data/BILLING_PERIOD=YYYY-MM/` it writes. */
export const EXPORT_NAME = 'billing-mcp-focus';
/** Where the workgroup writes query results (expired after {@link RESULTS_EXPIRY_DAYS} days). */
export const RESULTS_PREFIX = 'athena-results';
export const RESULTS_EXPIRY_DAYS = 7;
/** Athena cancels a query that would scan more: 100 GB, about $0.50 a query. */
export const BYTES_SCANNED_CUTOFF = 100 * 1024 ** 3;
export const DATABASE_NAME = 'billing_mcp';
export const TABLE_NAME = 'focus';
export const WORKGROUP_NAME = 'billing-mcp';

/** Properties of {@link CostDataStack}. */
export interface CostDataStackProps extends StackProps {
  /** The execution role the server runs as; it gets Athena, Glue and S3 access to this stack's resources only. */
  readonly executionRole: iam.IRole;
  /** The management (payer) account whose Data Export writes into the bucket. */
  readonly exportAccountId: string;
}

/**
 * The reading side of the FOCUS 1.2 export, in the account the server runs in: the bucket the management account's
 * Data Export delivers to (encrypted, TLS only, no public access, lifecycle rules, writable only by the Data Exports
 * service principals on behalf of that account's exports), the Glue database and table with partition projection on
 * `billing_period` (no crawler), the Athena workgroup (enforced configuration, encrypted results that expire, a
 * per-query bytes-scanned cutoff) and the execution role's permissions scoped to exactly these.
 */
export class CostDataStack extends Stack {
  readonly bucket: s3.Bucket;
  /** What the server needs to query: COST_DATA_ENGINE, ATHENA_WORKGROUP, ATHENA_DATABASE, ATHENA_TABLE. */
  readonly serverEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: CostDataStackProps) {
    super(scope, id, {
      description: 'billing-mcp-agentcore: FOCUS 1.2 export bucket, Glue table and Athena workgroup',
      ...props,
    });

    this.bucket = new s3.Bucket(this, 'ExportBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'ExpireQueryResults',
          prefix: `${RESULTS_PREFIX}/`,
          expiration: Duration.days(RESULTS_EXPIRY_DAYS),
        },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Written only by the Data Exports service and read only by Athena on behalf of the execution role; ' +
        'CloudTrail data events are the audit trail where one is wanted, and access logs would need a second bucket.',
    });

    const exportAccount = props.exportAccountId;
    const exportsWrite = new iam.PolicyStatement({
      sid: 'DataExportsWrite',
      principals: [
        new iam.ServicePrincipal('bcm-data-exports.amazonaws.com'),
        new iam.ServicePrincipal('billingreports.amazonaws.com'),
      ],
      actions: ['s3:PutObject', 's3:GetBucketPolicy'],
      resources: [this.bucket.bucketArn, this.bucket.arnForObjects(`${EXPORT_PREFIX}/*`)],
      conditions: {
        StringEquals: { 'aws:SourceAccount': exportAccount },
        StringLike: {
          'aws:SourceArn': [
            `arn:${Aws.PARTITION}:cur:us-east-1:${exportAccount}:definition/*`,
            `arn:${Aws.PARTITION}:bcm-data-exports:us-east-1:${exportAccount}:export/*`,
          ],
        },
      },
    });
    this.bucket.addToResourcePolicy(exportsWrite);

    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: DATABASE_NAME, description: 'FOCUS 1.2 billing data (Data Exports)' },
    });
    const dataLocation = `s3://${this.bucket.bucketName}/${EXPORT_PREFIX}/${EXPORT_NAME}/data`;
    const table = new glue.CfnTable(this, 'FocusTable', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: DATABASE_NAME,
      tableInput: {
        name: TABLE_NAME,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: 'billing_period', type: 'string' }],
        parameters: {
          classification: 'parquet',
          // Partition projection: Athena computes the partitions from the query's predicate; no crawler, no
          // MSCK REPAIR, and a new month is queryable the moment its files land.
          'projection.enabled': 'true',
          'projection.billing_period.type': 'date',
          'projection.billing_period.format': 'yyyy-MM',
          'projection.billing_period.range': '2020-01,NOW',
          'projection.billing_period.interval': '1',
          'projection.billing_period.interval.unit': 'MONTHS',
          'storage.location.template': `${dataLocation}/BILLING_PERIOD=\${billing_period}`,
        },
        storageDescriptor: {
          location: `${dataLocation}/`,
          columns: FOCUS_TABLE_COLUMNS.map(([name, type]) => ({ name: name.toLowerCase(), type })),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
    table.addDependency(database);

    const workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: WORKGROUP_NAME,
      description: 'billing-mcp-agentcore: queries of the cost-data tools',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        bytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/${RESULTS_PREFIX}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    const workgroupArn = `arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/${WORKGROUP_NAME}`;
    const glueArn = (kind: string, name: string) =>
      `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:${kind}/${name}`;
    const policy = new iam.Policy(this, 'QueryPolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'AthenaWorkGroup',
          actions: iamActionsFor(COST_DATA_OPERATIONS),
          resources: [workgroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'GlueTable',
          actions: [...ATHENA_QUERY_ACCESS.glue],
          resources: [
            `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:catalog`,
            glueArn('database', DATABASE_NAME),
            glueArn('table', `${DATABASE_NAME}/${TABLE_NAME}`),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'ExportBucket',
          actions: [...new Set([...ATHENA_QUERY_ACCESS.dataBucket, ...ATHENA_QUERY_ACCESS.resultsBucket])],
          resources: [this.bucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'ExportObjects',
          actions: [...ATHENA_QUERY_ACCESS.dataObjects],
          resources: [this.bucket.arnForObjects(`${EXPORT_PREFIX}/*`)],
        }),
        new iam.PolicyStatement({
          sid: 'QueryResults',
          actions: [...ATHENA_QUERY_ACCESS.resultsObjects],
          resources: [this.bucket.arnForObjects(`${RESULTS_PREFIX}/*`)],
        }),
      ],
    });
    policy.attachToRole(props.executionRole);
    const bucketRef = (this.bucket.node.defaultChild as s3.CfnBucket).logicalId;
    for (const prefix of [EXPORT_PREFIX, RESULTS_PREFIX]) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.resolve(bucketRef)}.Arn>/${prefix}/*]`,
        reason:
          prefix === EXPORT_PREFIX
            ? 'The objects Data Exports delivers under the export prefix (names it chooses, one per file): the prefix ' +
              'is the narrowest scope S3 allows.'
            : "The workgroup's query results (one object per query, named by Athena): the results prefix is the " +
              'narrowest scope S3 allows.',
      });
    }
    void workgroup;

    this.serverEnvironment = Object.freeze({
      COST_DATA_ENGINE: 'athena',
      ATHENA_WORKGROUP: WORKGROUP_NAME,
      ATHENA_DATABASE: DATABASE_NAME,
      ATHENA_TABLE: TABLE_NAME,
    });
    new CfnOutput(this, 'ExportBucketName', {
      value: this.bucket.bucketName,
      description: 'The bucket the FOCUS export stack (management account) delivers to.',
    });
  }
}
