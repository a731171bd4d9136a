import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ATHENA_QUERY_ACCESS, COST_DATA_OPERATIONS, iamActionsFor } from '../../server/src/aws/actions';

/** Sids of the statements {@link athenaQueryStatements} returns. */
export const ATHENA_WORKGROUP_SID = 'AthenaWorkGroup';
export const GLUE_TABLE_SID = 'GlueTable';

/** The ARN of a workgroup of this stack's account and region. */
export function workgroupArn(workgroup: string): string {
  return `arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/${workgroup}`;
}

/**
 * What the execution role needs to query tables of one Glue database in one Athena workgroup, in the stack's own
 * account and region: the catalogue's Athena operations on that workgroup, and the Glue reads Athena makes on the
 * caller's behalf (`ATHENA_QUERY_ACCESS.glue`) on the catalog, the database and exactly those tables. S3 access is
 * the caller's to add: where the data and the results live differs between a created export and an existing table.
 */
export function athenaQueryStatements(
  workgroup: string,
  database: string,
  tables: readonly string[],
): iam.PolicyStatement[] {
  const glueArn = (kind: string, name: string) =>
    `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:${kind}/${name}`;
  return [
    new iam.PolicyStatement({
      sid: ATHENA_WORKGROUP_SID,
      actions: iamActionsFor(COST_DATA_OPERATIONS),
      resources: [workgroupArn(workgroup)],
    }),
    new iam.PolicyStatement({
      sid: GLUE_TABLE_SID,
      actions: [...ATHENA_QUERY_ACCESS.glue],
      resources: [
        `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:catalog`,
        glueArn('database', database),
        ...tables.map((t) => glueArn('table', `${database}/${t}`)),
      ],
    }),
  ];
}
