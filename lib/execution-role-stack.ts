import { Aws, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { billingReadOnlyPolicyDocument } from '../cross-account/billing-read-only-policy';

/** Sid of the statement that lets the server assume the member role in listed accounts. */
export const ASSUME_LISTED_MEMBER_ROLES_SID = 'AssumeListedMemberRoles';
/** Sid of the statement that lets the server assume the member role in any account of the organization. */
export const ASSUME_ORGANIZATION_MEMBER_ROLES_SID = 'AssumeOrganizationMemberRoles';

/** Sid of the statement that denies AgentCore workload access tokens to the execution role. */
export const DENY_WORKLOAD_ACCESS_TOKENS_SID = 'DenyWorkloadAccessTokens';

/**
 * The stable `Runtime` construct grants every execution role `bedrock-agentcore:GetWorkloadAccessToken`,
 * `...ForJWT` and `...ForUserId` (for agents that call outbound OAuth or API-key providers). The server never calls
 * them, and AgentCore's docs advise denying them in production; an explicit Deny wins over that Allow.
 */
function denyWorkloadAccessTokens(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: DENY_WORKLOAD_ACCESS_TOKENS_SID,
    effect: iam.Effect.DENY,
    actions: ['bedrock-agentcore:GetWorkloadAccessToken*'],
    resources: ['*'],
  });
}

/** Properties of {@link ExecutionRoleStack}. */
export interface ExecutionRoleStackProps extends StackProps {
  /** Name of the execution role; member roles trust it by ARN, so it is fixed. */
  readonly roleName: string;
  /** Name of the role in member accounts that the server assumes. */
  readonly crossAccountRoleName: string;
  /**
   * Accounts whose member role the server may assume (`sts:AssumeRole` on exactly those role ARNs).
   * @default - none
   */
  readonly memberAccountIds?: readonly string[];
  /**
   * When set, the server may assume the member role in any account of this organization
   * (`aws:ResourceOrgID` condition).
   * @default - no organization-wide statement
   */
  readonly organizationId?: string;
}

/**
 * The IAM role AgentCore Runtime runs the MCP server as: read-only billing access generated from the server's
 * catalogue, plus `sts:AssumeRole` on the member roles and nothing else. The Runtime construct adds its own
 * log, metrics, X-Ray, workload-identity and ECR permissions from the runtime stack.
 */
export class ExecutionRoleStack extends Stack {
  /** The execution role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ExecutionRoleStackProps) {
    super(scope, id, {
      description: 'billing-mcp-agentcore: IAM role the AgentCore Runtime runs the billing MCP server as',
      ...props,
    });

    const memberAccountIds = props.memberAccountIds ?? [];
    const memberRoleArn = (account: string) =>
      `arn:${Aws.PARTITION}:iam::${account}:role/${props.crossAccountRoleName}`;
    const assumeStatements: iam.PolicyStatement[] = [];
    if (memberAccountIds.length > 0) {
      assumeStatements.push(
        new iam.PolicyStatement({
          sid: ASSUME_LISTED_MEMBER_ROLES_SID,
          actions: ['sts:AssumeRole'],
          resources: memberAccountIds.map(memberRoleArn),
        }),
      );
    }
    if (props.organizationId !== undefined) {
      assumeStatements.push(
        new iam.PolicyStatement({
          sid: ASSUME_ORGANIZATION_MEMBER_ROLES_SID,
          actions: ['sts:AssumeRole'],
          resources: [memberRoleArn('*')],
          conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId } },
        }),
      );
    }

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'AgentCore Runtime execution role of the billing MCP server (read-only billing access)',
      assumedBy: new iam.ServicePrincipal('bedrock-agentcore.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:bedrock-agentcore:${Aws.REGION}:${Aws.ACCOUNT_ID}:*`,
          },
        },
      }),
      inlinePolicies: {
        BillingReadOnly: billingReadOnlyPolicyDocument(),
        DenyWorkloadAccessTokens: new iam.PolicyDocument({ statements: [denyWorkloadAccessTokens()] }),
        ...(assumeStatements.length > 0
          ? { AssumeMemberRoles: new iam.PolicyDocument({ statements: assumeStatements }) }
          : {}),
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Read-only billing actions from the server catalogue (Cost Explorer, Pricing, Free Tier, Cost Optimization Hub, ' +
        'Compute Optimizer, Billing Conductor): these APIs have no resource-level permissions.',
    });
    if (props.organizationId !== undefined) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${props.crossAccountRoleName}]`,
        reason:
          'The member role of one fixed name in any account, bounded by an aws:ResourceOrgID condition to the ' +
          'organization; accounts join and leave the organization without a redeploy.',
      });
    }
  }
}
