import { Aws, CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import {
  ProtocolType,
  Runtime,
  RuntimeAuthorizerConfiguration,
  RuntimeNetworkConfiguration,
} from 'aws-cdk-lib/aws-bedrockagentcore';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { SHARED_CACHE_ACTIONS } from '../server/src/aws/actions';
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
  /**
   * The Amazon Quick user-authentication client: also an allowed client, and the runtime then passes the caller's
   * validated `Authorization` header to the container (the server reads who is calling from it).
   * @default - service authentication only; the container never sees the token
   */
  readonly userClient?: cognito.IUserPoolClient;
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
   * Create the DynamoDB table every session shares cached answers through, and pass it as SHARED_CACHE_TABLE.
   * @default true
   */
  readonly sharedCache?: boolean;
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
  /** The table sessions share cached answers through, when `sharedCache` is on. */
  public readonly sharedCacheTable: dynamodb.Table | undefined;
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

    // AgentCore gives every session its own microVM, so the in-process cache is per session; this table is what
    // sessions share. Only the server's answers live in it, each for its TTL.
    if (props.sharedCache ?? true) {
      const table = new dynamodb.Table(this, 'SharedCache', {
        partitionKey: { name: 'key', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: 'expires_at',
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
        // A cache: nothing in it is lost that the next question cannot fetch again.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      Validations.of(table).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason:
          'Point-in-time recovery is off on purpose: the table is a cache of Cost Explorer answers that expire ' +
          'within the cache TTL; a restore would bring back nothing worth having, and PITR would bill for it.',
      });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'SharedCacheReadWrite',
          actions: [...SHARED_CACHE_ACTIONS],
          resources: [table.tableArn],
        }),
      );
      this.sharedCacheTable = table;
    }

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
        [
          props.quickClient.userPoolClientId,
          ...(props.userClient ? [props.userClient.userPoolClientId] : []),
          ...(props.extraAllowedClientIds ?? []),
        ],
        undefined,
        [INVOKE_SCOPE],
      ),
      environmentVariables: {
        ...props.environment,
        ...(this.sharedCacheTable ? { SHARED_CACHE_TABLE: this.sharedCacheTable.tableName } : {}),
      },
      // Only with user sign-in: the server needs the (already validated) token to know who is calling.
      ...(props.userClient ? { requestHeaderConfiguration: { allowlistedHeaders: ['Authorization'] } } : {}),
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
