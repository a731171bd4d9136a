import { Aws, CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  ProtocolType,
  Runtime,
  RuntimeAuthorizerConfiguration,
  RuntimeNetworkConfiguration,
} from 'aws-cdk-lib/aws-bedrockagentcore';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { INVOKE_SCOPE } from './auth-stack';
import type { ImageBuild } from './config';
import { ServerImage } from './constructs/server-image';
import { nagArn } from './constructs/nag';
import { urlEncodeArn } from './constructs/url-encode';

/** Properties of {@link RuntimeStack}. */
export interface RuntimeStackProps extends StackProps {
  /** The role the runtime runs as (from the execution role stack). */
  readonly executionRole: iam.IRole;
  /** The user pool whose access tokens the JWT authorizer accepts. */
  readonly userPool: cognito.IUserPool;
  /** The Amazon Quick client; its id is always an allowed client. */
  readonly quickClient: cognito.IUserPoolClient;
  /** Name of the runtime: `^[a-zA-Z][a-zA-Z0-9_]{0,47}$`. */
  readonly runtimeName: string;
  /** How the image is built. */
  readonly imageBuild: ImageBuild;
  /**
   * Further client ids the authorizer accepts.
   * @default - only the Quick client
   */
  readonly extraAllowedClientIds?: readonly string[];
  /**
   * Environment variables of the server.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * A ready Docker build context (tests).
   * @default - the server bundled at synth
   */
  readonly imageContextDir?: string;
}

/**
 * The AgentCore Runtime hosting the MCP server: MCP protocol, public network, a Cognito JWT authorizer (allowed
 * clients = the Quick client and any extras, scope `billing-mcp/invoke`), and the ARM64 image built from `server/`.
 */
export class RuntimeStack extends Stack {
  /** The runtime. */
  public readonly runtime: Runtime;
  /** The image the runtime runs. */
  public readonly image: ServerImage;
  /** The URL Amazon Quick calls: `https://bedrock-agentcore.<region>.amazonaws.com/runtimes/<encoded ARN>/invocations`. */
  public readonly mcpEndpoint: string;

  constructor(scope: Construct, id: string, props: RuntimeStackProps) {
    super(scope, id, {
      description: 'billing-mcp-agentcore: the AgentCore Runtime hosting the billing MCP server',
      ...props,
    });

    // The Runtime adds its own log, metrics, X-Ray, workload-identity and image-pull permissions to the role it is
    // given. Handing it a mutable reference keeps those statements in this stack (a policy attached to the role):
    // granting on the real role would put a reference to this stack's ECR repository into the execution role
    // stack, a cycle.
    const role = iam.Role.fromRoleArn(this, 'ExecutionRole', props.executionRole.roleArn, { mutable: true });
    const runtimeGrant = 'Permission the AgentCore Runtime construct grants every runtime';
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${runtimeGrant}: X-Ray, ecr:GetAuthorizationToken and CloudWatch PutMetricData (namespace-conditioned) have no resource-level permissions.`,
      },
      ...[
        'log-group:*',
        'log-group:/aws/bedrock-agentcore/runtimes/*',
        'log-group:/aws/bedrock-agentcore/runtimes/*:log-stream:*',
      ].map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'logs', resource)}]`,
        reason: `${runtimeGrant}: the runtime's log groups and streams get generated names under /aws/bedrock-agentcore/runtimes/ (DescribeLogGroups needs log-group:*).`,
      })),
      {
        id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'bedrock-agentcore', 'workload-identity-directory/default/workload-identity/*')}]`,
        reason: `${runtimeGrant}: workload access tokens for the runtime's own workload identity; the execution role stack denies these actions explicitly (DenyWorkloadAccessTokens), so the grant has no effect.`,
      },
    );

    this.image = new ServerImage(this, 'ServerImage', {
      build: props.imageBuild,
      contextDir: props.imageContextDir,
    });

    const discoveryUrl = `https://cognito-idp.${Aws.REGION}.amazonaws.com/${props.userPool.userPoolId}/.well-known/openid-configuration`;
    this.runtime = new Runtime(this, 'Runtime', {
      runtimeName: props.runtimeName,
      description: 'Billing MCP server: read-only AWS cost and usage tools for Amazon Quick',
      agentRuntimeArtifact: this.image.artifact,
      executionRole: role,
      protocolConfiguration: ProtocolType.MCP,
      networkConfiguration: RuntimeNetworkConfiguration.usingPublicNetwork(),
      // Client-credentials tokens carry client_id and scope but no aud: check those, never allowedAudience.
      authorizerConfiguration: RuntimeAuthorizerConfiguration.usingJWT(
        discoveryUrl,
        [props.quickClient.userPoolClientId, ...(props.extraAllowedClientIds ?? [])],
        undefined,
        [INVOKE_SCOPE],
      ),
      environmentVariables: { ...props.environment },
    });

    this.mcpEndpoint = `https://bedrock-agentcore.${Aws.REGION}.amazonaws.com/runtimes/${urlEncodeArn(this.runtime.agentRuntimeArn)}/invocations`;

    new CfnOutput(this, 'RuntimeArn', {
      value: this.runtime.agentRuntimeArn,
      description: 'AgentCore Runtime ARN',
    });
    new CfnOutput(this, 'McpEndpoint', {
      value: this.mcpEndpoint,
      description: 'Amazon Quick: MCP server endpoint',
    });
    new CfnOutput(this, 'McpEndpointWithQualifier', {
      value: `${this.mcpEndpoint}?qualifier=DEFAULT`,
      description: 'The endpoint with the DEFAULT qualifier, for curl and smoke tests',
    });
  }
}
