import { Aws, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ATHENA_QUERY_ACCESS } from '../server/src/aws/actions';
import { athenaQueryStatements } from './constructs/athena-query-grants';

/** Sids of the S3 statements, whose conditions the tests check. */
export const READ_THROUGH_ATHENA_SID = 'S3ReadThroughAthena';
export const RESULTS_THROUGH_ATHENA_SID = 'S3ResultsThroughAthena';

/** The service whose forward access sessions alone may use the S3 grants (`aws:CalledVia`). */
const ATHENA_SERVICE = 'athena.amazonaws.com';

/** Properties of {@link CostDataAccessStack}. */
export interface CostDataAccessStackProps extends StackProps {
  /** The execution role the server runs as. */
  readonly executionRole: iam.IRole;
  /** The existing workgroup the queries run in. */
  readonly workgroup: string;
  /** The Glue database of the existing table. */
  readonly database: string;
  /** The existing table (FOCUS 1.2 or CUR 2.0 columns, partition or column `billing_period`). */
  readonly table: string;
  /**
   * The table's layout, passed to the server as COST_DATA_SCHEMA.
   * @default - not passed: the server reads the table as FOCUS 1.2
   */
  readonly schema?: 'focus' | 'cur2';
}

/**
 * Lets the server query an existing FOCUS or CUR 2.0 table (`costDataTable`, `athenaWorkgroup`, `costDataSchema`)
 * instead of an export this app
 * creates: the catalogue's Athena operations on that one workgroup, the Glue reads on that database and table, and
 * S3 through Athena only.
 *
 * What is known at synth is the workgroup, the database and the table. Where the table's files and the workgroup's
 * results live is theirs (a table location, a projection template, a workgroup output location), can change
 * without this deployment, and cannot be read at synth. So the S3 statements name no bucket: they hold only for
 * requests Athena makes on the role's behalf (`aws:CalledVia`), and Athena reads only tables the Glue statement
 * admits (the role may not create one). Reads may reach any account (an export bucket can be elsewhere); writes stay
 * in this account, where the workgroup's results bucket is.
 */
export class CostDataAccessStack extends Stack {
  /** What the server needs: COST_DATA_ENGINE, ATHENA_WORKGROUP, ATHENA_DATABASE, ATHENA_TABLE (COST_DATA_SCHEMA). */
  readonly serverEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: CostDataAccessStackProps) {
    super(scope, id, {
      description: `billing-mcp-agentcore: query access to an existing ${props.schema === 'cur2' ? 'CUR 2.0' : 'FOCUS'} table through Athena`,
      ...props,
    });
    const throughAthena = { 'ForAnyValue:StringEquals': { 'aws:CalledVia': [ATHENA_SERVICE] } };
    const policy = new iam.Policy(this, 'QueryPolicy', {
      statements: [
        ...athenaQueryStatements(props.workgroup, props.database, [props.table]),
        new iam.PolicyStatement({
          sid: READ_THROUGH_ATHENA_SID,
          actions: [
            ...new Set([...ATHENA_QUERY_ACCESS.dataBucket, ...ATHENA_QUERY_ACCESS.dataObjects]),
          ].sort(),
          resources: ['*'],
          conditions: throughAthena,
        }),
        new iam.PolicyStatement({
          sid: RESULTS_THROUGH_ATHENA_SID,
          actions: [
            ...new Set([...ATHENA_QUERY_ACCESS.resultsBucket, ...ATHENA_QUERY_ACCESS.resultsObjects]),
          ].sort(),
          resources: ['*'],
          conditions: { ...throughAthena, StringEquals: { 'aws:ResourceAccount': Aws.ACCOUNT_ID } },
        }),
      ],
    });
    policy.attachToRole(props.executionRole);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "The existing table's data and the workgroup's results locations belong to the table and the workgroup, not " +
        'to this deployment, and are unknown at synth. The S3 actions hold only through Athena (aws:CalledVia), ' +
        'which reads only the one table the Glue statement admits; writes also stay in this account.',
    });

    this.serverEnvironment = Object.freeze({
      COST_DATA_ENGINE: 'athena',
      ATHENA_WORKGROUP: props.workgroup,
      ATHENA_DATABASE: props.database,
      ATHENA_TABLE: props.table,
      ...(props.schema ? { COST_DATA_SCHEMA: props.schema } : {}),
    });
  }
}
