import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  App,
  CfnOutput,
  CfnParameter,
  DefaultStackSynthesizer,
  Duration,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { billingReadOnlyPolicyDocument } from './billing-read-only-policy';

/** Names of the template parameters; the StackSet passes values for them. */
export const MEMBER_ROLE_PARAMETERS = {
  sourceAccountId: 'SourceAccountId',
  executionRoleArn: 'ExecutionRoleArn',
  externalId: 'ExternalId',
} as const;

/** What the member role looks like, independent of where the template ends up. */
export interface MemberRoleOptions {
  /** Name of the role; the execution role may assume exactly this name. */
  readonly roleName: string;
  /**
   * Default of the `SourceAccountId` parameter: the account the MCP server runs in.
   * @default - no default; the parameter must be given at deploy time
   */
  readonly sourceAccountId?: string;
  /**
   * Default of the `ExecutionRoleArn` parameter: the role AgentCore Runtime runs the server as.
   * @default - no default; the parameter must be given at deploy time
   */
  readonly executionRoleArn?: string;
  /**
   * When set, the template gets an `ExternalId` parameter (with this default) and the role requires
   * `sts:ExternalId` to equal it.
   * @default - no external id required
   */
  readonly externalId?: string;
}

/** Properties of {@link MemberRoleStack}. */
export interface MemberRoleStackProps extends StackProps, MemberRoleOptions {}

/**
 * The read-only role the MCP server assumes in a member account.
 *
 * It trusts the source account's root, narrowed by an `aws:PrincipalArn` condition to the execution role. Unlike
 * a role-ARN principal this survives the execution role being re-created, and the role can be created before the
 * execution role exists. The permissions are the same catalogue-generated read-only policy as the execution role's.
 *
 * Deploy it directly (the management account, which service-managed StackSets never reach, or an account outside
 * the organization), or let `MemberRolesStack` roll out its synthesized template with a StackSet.
 */
export class MemberRoleStack extends Stack {
  /** The member role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps) {
    super(scope, id, {
      description: 'billing-mcp-agentcore: read-only billing role the MCP server assumes in this account',
      ...props,
    });

    const sourceAccountId = new CfnParameter(this, MEMBER_ROLE_PARAMETERS.sourceAccountId, {
      type: 'String',
      description: 'Account id the MCP server (its AgentCore execution role) runs in',
      allowedPattern: '^\\d{12}$',
      constraintDescription: 'a 12-digit AWS account id',
      default: props.sourceAccountId,
    });
    const executionRoleArn = new CfnParameter(this, MEMBER_ROLE_PARAMETERS.executionRoleArn, {
      type: 'String',
      description: 'ARN of the AgentCore Runtime execution role that may assume this role',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
      constraintDescription: 'an IAM role ARN',
      default: props.executionRoleArn,
    });

    const conditions: Record<string, Record<string, string>> = {
      ArnEquals: { 'aws:PrincipalArn': executionRoleArn.valueAsString },
    };
    if (props.externalId !== undefined) {
      const externalId = new CfnParameter(this, MEMBER_ROLE_PARAMETERS.externalId, {
        type: 'String',
        description: 'External id the MCP server sends when assuming this role',
        allowedPattern: '^[\\w+=,.@:/-]{2,1224}$',
        noEcho: true,
        default: props.externalId,
      });
      conditions.StringEquals = { 'sts:ExternalId': externalId.valueAsString };
    }

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Read-only billing access for the billing MCP server (billing-mcp-agentcore)',
      assumedBy: new iam.AccountPrincipal(sourceAccountId.valueAsString).withConditions(conditions),
      inlinePolicies: { BillingReadOnly: billingReadOnlyPolicyDocument() },
      maxSessionDuration: Duration.hours(1),
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Read-only billing actions from the server catalogue (Cost Explorer, Pricing, Free Tier, Cost Optimization Hub, ' +
        'Compute Optimizer, Billing Conductor): these APIs have no resource-level permissions.',
    });

    new CfnOutput(this, 'MemberRoleArn', { value: this.role.roleArn, description: 'The member role' });
  }
}

/**
 * Synthesizes the member role on its own, offline, into a plain CloudFormation template: no bootstrap version rule,
 * no CDK metadata, no assets, so it deploys with the console, `aws cloudformation deploy` or a StackSet.
 */
export function synthesizeMemberRoleTemplate(options: MemberRoleOptions): Record<string, unknown> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-mcp-member-role-'));
  try {
    // A separate App with its own outdir, so that synthesizing it inside `cdk synth` never touches cdk.out; no
    // construct-path metadata even when the CLI asks for it, so the template is the same wherever it is made.
    const app = new App({
      outdir,
      autoSynth: false,
      analyticsReporting: false,
      postCliContext: { 'aws:cdk:enable-path-metadata': false },
    });
    const stack = new MemberRoleStack(app, 'MemberRole', {
      ...options,
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      analyticsReporting: false,
    });
    return app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
