import { Aws, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { STORAGE_LENS_CONFIG_ID, STORAGE_LENS_PREFIX } from './cost-data-stack';

/** Properties of {@link StorageLensStack}. */
export interface StorageLensStackProps extends StackProps {
  /** The export bucket (source account) the daily metrics export is delivered to. */
  readonly bucketName: string;
  /** The account that owns that bucket. */
  readonly bucketOwnerAccountId: string;
  /** The organization the configuration covers (`o-…`). */
  readonly organizationId: string;
  /**
   * The organization's management account: its ARN names it (`arn:aws:organizations::<management>:organization/o-…`).
   * It becomes the default of the `OrganizationArn` parameter, which a deployment from a delegated administrator
   * overrides.
   */
  readonly managementAccountId: string;
}

/**
 * The organization-level S3 Storage Lens configuration, in the management account or a Storage Lens delegated
 * administrator, with its daily metrics export (Parquet, SSE-S3) delivered into the source account's export bucket
 * under `storage-lens/`. No advanced (paid) metrics: the get-storage-metrics tool reads bytes, object counts,
 * incomplete multipart upload bytes and noncurrent version bytes only. The configuration's home region
 * is the region this stack is deployed to, and Storage Lens exports only to a bucket of that region: deploy it to
 * the region of the cost-data stack.
 */
export class StorageLensStack extends Stack {
  /** The configuration. */
  readonly configuration: s3.CfnStorageLens;

  constructor(scope: Construct, id: string, props: StorageLensStackProps) {
    super(scope, id, {
      description: 'billing-mcp-agentcore: organization S3 Storage Lens configuration and its metrics export',
      ...props,
    });
    const organizationArn = new CfnParameter(this, 'OrganizationArn', {
      type: 'String',
      default: `arn:aws:organizations::${props.managementAccountId}:organization/${props.organizationId}`,
      allowedPattern: '^arn:aws[a-z-]*:organizations::\\d{12}:organization/o-[a-z0-9]{10,32}$',
      description:
        'ARN of the organization (aws organizations describe-organization --query Organization.Arn). The default ' +
        'takes managementAccountId for the management account; override it when deploying from a delegated ' +
        'administrator.',
    });

    this.configuration = new s3.CfnStorageLens(this, 'OrganizationStorageLens', {
      storageLensConfiguration: {
        id: STORAGE_LENS_CONFIG_ID,
        isEnabled: true,
        awsOrg: { arn: organizationArn.valueAsString },
        // BucketLevel is required; empty: bucket-level aggregation without any advanced (paid) metric group.
        accountLevel: { bucketLevel: {} },
        dataExport: {
          s3BucketDestination: {
            accountId: props.bucketOwnerAccountId,
            arn: `arn:${Aws.PARTITION}:s3:::${props.bucketName}`,
            format: 'Parquet',
            outputSchemaVersion: 'V_1',
            prefix: STORAGE_LENS_PREFIX,
            encryption: { sses3: {} },
          },
        },
      },
    });
  }
}
