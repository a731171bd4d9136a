import { Aws, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import type { Construct } from 'constructs';
import { MEMBER_ROLE_PARAMETERS, synthesizeMemberRoleTemplate } from '../cross-account/member-role-stack';
import type { StackSetCallAs } from './config';

/** CloudFormation's limit on an inline StackSet template body, in bytes. */
const TEMPLATE_BODY_LIMIT = 51_200;

/** Properties of {@link MemberRolesStack}. */
export interface MemberRolesStackProps extends StackProps {
  /** Prefix of the StackSet names. */
  readonly stackSetNamePrefix: string;
  /** Name of the member role. */
  readonly roleName: string;
  /** Name of the execution role in the source account; the member role trusts its ARN. */
  readonly executionRoleName: string;
  /**
   * The account the MCP server runs in.
   * @default - this stack's own account when `env.account` is unset (it deploys next to the server); otherwise a
   * required `SourceAccountId` stack parameter
   */
  readonly sourceAccountId?: string;
  /**
   * Accounts that get the role through a self-managed StackSet.
   * @default - none
   */
  readonly memberAccountIds?: readonly string[];
  /**
   * OUs (or the root) that get the role through a service-managed StackSet with auto-deployment.
   * @default - none
   */
  readonly organizationalUnitIds?: readonly string[];
  /**
   * The one region the StackSets deploy to (the role is global; two regions in one account would collide).
   * @default - this stack's region
   */
  readonly stackSetRegion?: string;
  /**
   * `SELF` in the management account, `DELEGATED_ADMIN` in a delegated StackSets administrator account.
   * @default 'SELF'
   */
  readonly callAs?: StackSetCallAs;
  /**
   * External id the member roles require.
   * @default - none
   */
  readonly externalId?: string;
}

/**
 * Rolls the member role of `cross-account/` out with CloudFormation StackSets: service-managed with
 * auto-deployment to the configured OUs, and self-managed to the configured account list. The template body is
 * that stack, synthesized offline at synth time, so the StackSet and a hand deployment are the same role.
 */
export class MemberRolesStack extends Stack {
  /** The service-managed StackSet, when OUs are configured. */
  public readonly organizationStackSet?: CfnStackSet;
  /** The self-managed StackSet, when accounts are configured. */
  public readonly accountsStackSet?: CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberRolesStackProps) {
    super(scope, id, {
      description:
        'billing-mcp-agentcore: StackSets that create the read-only member role in member accounts',
      ...props,
    });

    const sourceAccountId =
      props.sourceAccountId ??
      (props.env?.account === undefined
        ? Aws.ACCOUNT_ID
        : new CfnParameter(this, MEMBER_ROLE_PARAMETERS.sourceAccountId, {
            type: 'String',
            description: 'Account id the MCP server runs in (where the execution role stack is deployed)',
            allowedPattern: '^\\d{12}$',
            constraintDescription: 'a 12-digit AWS account id',
          }).valueAsString);

    const templateBody = JSON.stringify(
      synthesizeMemberRoleTemplate({ roleName: props.roleName, externalId: props.externalId }),
    );
    if (Buffer.byteLength(templateBody) > TEMPLATE_BODY_LIMIT) {
      throw new Error(
        `The member role template is ${Buffer.byteLength(templateBody)} bytes; a StackSet allows 51200.`,
      );
    }

    const parameters: CfnStackSet.ParameterProperty[] = [
      { parameterKey: MEMBER_ROLE_PARAMETERS.sourceAccountId, parameterValue: sourceAccountId },
      {
        parameterKey: MEMBER_ROLE_PARAMETERS.executionRoleArn,
        parameterValue: `arn:${Aws.PARTITION}:iam::${sourceAccountId}:role/${props.executionRoleName}`,
      },
      ...(props.externalId !== undefined
        ? [{ parameterKey: MEMBER_ROLE_PARAMETERS.externalId, parameterValue: props.externalId }]
        : []),
    ];
    const regions = [props.stackSetRegion ?? Aws.REGION];
    const common = {
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: { maxConcurrentPercentage: 100, failureTolerancePercentage: 0 },
      parameters,
      templateBody,
    };

    const ous = props.organizationalUnitIds ?? [];
    if (ous.length > 0) {
      this.organizationStackSet = new CfnStackSet(this, 'OrganizationStackSet', {
        ...common,
        stackSetName: `${props.stackSetNamePrefix}-MemberRole-OUs`,
        description: 'Read-only billing role for the billing MCP server, in every account of the listed OUs',
        permissionModel: 'SERVICE_MANAGED',
        callAs: props.callAs ?? 'SELF',
        autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
        stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [...ous] }, regions }],
      });
    }

    const accounts = props.memberAccountIds ?? [];
    if (accounts.length > 0) {
      this.accountsStackSet = new CfnStackSet(this, 'AccountsStackSet', {
        ...common,
        stackSetName: `${props.stackSetNamePrefix}-MemberRole-Accounts`,
        description: 'Read-only billing role for the billing MCP server, in the listed accounts',
        // Uses AWSCloudFormationStackSetAdministrationRole here and AWSCloudFormationStackSetExecutionRole there.
        permissionModel: 'SELF_MANAGED',
        stackInstancesGroup: [{ deploymentTargets: { accounts: [...accounts] }, regions }],
      });
    }
  }
}
