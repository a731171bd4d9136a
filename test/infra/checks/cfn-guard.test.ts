import { everyStackArtifact } from '../helpers';
import { synthesizeMemberRoleTemplate } from '../../../cross-account/member-role-stack';
import { guardFindings } from './cfn-guard';

/**
 * Accepted findings, `<stack> <rule> <logical id prefix>`, each with its reason: what `@cdklabs/deploy-time-build`
 * creates for the deploy-time image build, the shared cache table, and the cost-data export bucket and workgroup.
 */
const ACCEPTED: [string, string][] = [
  [
    'BillingMcp-Runtime codebuild_project_environment_privileged_check ContainerImageBuildArm64',
    'A Docker image build on CodeBuild needs privileged mode (the Docker daemon); the project only builds server/.',
  ],
  [
    'BillingMcp-Runtime codebuild_project_logging_enabled_check ContainerImageBuildArm64',
    'CodeBuild logs to CloudWatch Logs by default; the rule only accepts an explicit LogsConfig.',
  ],
  [
    'BillingMcp-Runtime lambda_inside_vpc_check DeployTimeBuildCustomResourceHandler',
    'The custom-resource handler only calls the CodeBuild and CloudFormation APIs; the stack has no VPC to put it in.',
  ],
  [
    'BillingMcp-Runtime dynamodb_table_pitr_enabled_check SharedCache',
    'The shared answer cache holds only copies of AWS answers that expire within CACHE_TTL_SECONDS: a lost table is ' +
      'refilled from AWS, so point-in-time recovery would pay to back up nothing worth restoring.',
  ],
  [
    'BillingMcp-CostData athena_workgroup_results_encrypted_at_rest_kms_check WorkGroup',
    'Results are SSE-S3 (enforced by the workgroup), like the export objects they are computed from: a ' +
      'customer-managed key on the results alone would guard copies of rows the bucket holds under SSE-S3 anyway ' +
      '(see ExportBucket for why the bucket cannot use one).',
  ],
  [
    'BillingMcp-CostData s3_bucket_default_encryption_kms_check ExportBucket',
    'SSE-S3, because not every writer can use a customer-managed key: AWS::BCMDataExports::Export has no encryption ' +
      'setting on its S3Destination, and the Data Exports bucket setup (dataexports-s3-bucket) documents only a ' +
      'bucket policy for bcm-data-exports.amazonaws.com, no key policy; a KMS default would put every delivery at ' +
      'risk. Storage Lens (Encryption.SSEKMS) and Athena (SSE_KMS) could use one; the writer that cannot decides.',
  ],
  [
    'BillingMcp-CostData s3_bucket_logging_enabled_check ExportBucket',
    'Written only by AWS services under bucket-policy conditions (exporting account, configuration) and read only by ' +
      'the execution role through Athena, whose query history records each read; CloudTrail S3 data events give the ' +
      'per-object trail where one is wanted. A server-access-log bucket would bring the same five findings (and a ' +
      'log bucket of its own) for less than those records already show.',
  ],
  [
    'BillingMcp-CostData s3_bucket_object_lock_enabled_check ExportBucket',
    "Data Exports overwrites the current month's files up to three times a day (OVERWRITE_REPORT): object lock " +
      'would make those deliveries fail.',
  ],
  [
    'BillingMcp-CostData s3_bucket_versioning_enabled_check ExportBucket',
    "Every delivery rewrites the month's files; versions would keep each superseded copy (paid storage) of data " +
      'AWS regenerates anyway.',
  ],
  [
    'BillingMcp-CostData s3_event_notifications_enabled_check ExportBucket',
    'Nothing consumes delivery events: the Glue table uses partition projection, so no crawler needs triggering.',
  ],
];

const accepted = (finding: string) => ACCEPTED.some(([prefix]) => finding.startsWith(prefix));

describe('AWS Guard rules (cdk-validator-cfnguard) over every template', () => {
  let findings: string[];
  beforeAll(() => {
    const templates: Record<string, object> = {};
    for (const stack of everyStackArtifact()) templates[stack.stackName] = stack.template;
    templates['member-role-template'] = synthesizeMemberRoleTemplate({
      roleName: 'BillingMCPCrossAccountRole',
    });
    findings = guardFindings(templates);
  });

  test('every finding is an accepted one', () => {
    expect(findings.filter((f) => !accepted(f))).toEqual([]);
  });

  test('every accepted finding still occurs (a fixed one leaves the list)', () => {
    expect(
      ACCEPTED.filter(([prefix]) => !findings.some((f) => f.startsWith(prefix))).map(([p]) => p),
    ).toEqual([]);
  });
});

describe('guardFindings (negative control)', () => {
  test('reports a bucket without encryption, logging or versioning settings', () => {
    const findings = guardFindings({
      broken: { Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: {} } } },
    });
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.startsWith('broken ') && f.endsWith(' Bucket'))).toBe(true);
  });
});
