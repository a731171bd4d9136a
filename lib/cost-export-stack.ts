import { CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import * as bcm from 'aws-cdk-lib/aws-bcmdataexports';
import type { Construct } from 'constructs';
import { FOCUS_TABLE_COLUMNS } from '../server/src/query/focus-columns';
import { EXPORT_NAME, EXPORT_PREFIX } from './cost-data-stack';

/** Properties of {@link CostExportStack}. */
export interface CostExportStackProps extends StackProps {
  /** The bucket in the source account the export delivers to (S3BucketOwner: that account). */
  readonly bucketName: string;
  /** The account that owns the bucket (the server's). */
  readonly bucketOwnerAccountId: string;
  /**
   * The bucket's region.
   * @default - the stack parameter `ExportBucketRegion` (the source stacks are region-agnostic)
   */
  readonly bucketRegion?: string;
}

/**
 * The FOCUS 1.2 Data Export, in the management (payer) account and us-east-1 (the Data Exports endpoint), covering
 * every account of the organization, delivered as Parquet into the source account's bucket (S3BucketOwner), the
 * current month overwritten as it is refreshed. Delivering across accounts keeps the data beside the Athena
 * workgroup that reads it and the management account free of anything but the export itself.
 */
export class CostExportStack extends Stack {
  constructor(scope: Construct, id: string, props: CostExportStackProps) {
    super(scope, id, {
      description: 'billing-mcp-agentcore: FOCUS 1.2 Data Export of the organization (management account)',
      ...props,
    });
    const bucketRegion =
      props.bucketRegion ??
      new CfnParameter(this, 'ExportBucketRegion', {
        type: 'String',
        allowedPattern: '^[a-z]{2}(-[a-z]+)+-\\d$',
        description:
          "Region of the export bucket: the region the source account's cost-data stack is deployed to.",
      }).valueAsString;
    new bcm.CfnExport(this, 'FocusExport', {
      export: {
        name: EXPORT_NAME,
        description: 'FOCUS 1.2 with AWS columns, read by billing-mcp-agentcore through Athena',
        dataQuery: {
          // Data Exports requires the columns listed; the same list as the Glue table's.
          queryStatement: `SELECT ${FOCUS_TABLE_COLUMNS.map(([name]) => name).join(', ')} FROM FOCUS_1_2_AWS`,
          tableConfigurations: { FOCUS_1_2_AWS: {} },
        },
        destinationConfigurations: {
          s3Destination: {
            s3Bucket: props.bucketName,
            s3Prefix: EXPORT_PREFIX,
            s3Region: bucketRegion,
            s3BucketOwner: props.bucketOwnerAccountId,
            s3OutputConfigurations: {
              compression: 'PARQUET',
              format: 'PARQUET',
              outputType: 'CUSTOM',
              overwrite: 'OVERWRITE_REPORT',
            },
          },
        },
        // SYNCHRONOUS: refreshed as the billing data is, up to three times a day (the daily cadence Data Exports offers).
        refreshCadence: { frequency: 'SYNCHRONOUS' },
      },
    });
  }
}
