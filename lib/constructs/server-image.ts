import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ContainerImageBuild } from '@cdklabs/deploy-time-build';
import { type CfnResource, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AgentRuntimeArtifact } from 'aws-cdk-lib/aws-bedrockagentcore';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Construct } from 'constructs';
import { BUNDLE_FILES, SERVER_DOCKERFILE, bundleServer } from '../../server/bundle';
import type { ImageBuild } from '../config';
import { nagAccount, nagArn, nagRegion } from './nag';

let staged: string | undefined;

/**
 * How many images the repository keeps. Every deploy whose bundle changed pushes a new tag and the runtime only ever
 * runs the newest, so older images are just storage; ten leave room to roll back by hand.
 */
export const KEPT_IMAGE_COUNT = 10;

/**
 * Bundles the server with esbuild into a fresh directory and copies the Dockerfile beside it: the whole Docker
 * build context (`Dockerfile`, `server.js` and its map). Done once per
 * process, since every app synthesized in it bundles the same sources.
 *
 * @returns the directory
 */
export function stageServerImageContext(): string {
  if (staged !== undefined && BUNDLE_FILES.every((f) => fs.existsSync(path.join(staged!, f)))) return staged;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-mcp-image-'));
  // Synthesis copies the context into cdk.out (or zips it), so the staging copy can go when the process ends.
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  bundleServer(dir);
  fs.copyFileSync(SERVER_DOCKERFILE, path.join(dir, 'Dockerfile'));
  staged = dir;
  return dir;
}

/** Properties of {@link ServerImage}. */
export interface ServerImageProps {
  /** `codebuild`: build on an ARM CodeBuild project at deploy time; `docker`: local Docker asset at deploy. */
  readonly build: ImageBuild;
  /**
   * A ready Docker build context.
   * @default - {@link stageServerImageContext}: the server bundled at synth
   */
  readonly contextDir?: string;
}

/**
 * The ARM64 container image of the MCP server, as an AgentCore runtime artifact. Synth never needs Docker: the
 * CodeBuild variant only zips the context as an S3 asset, and the Docker variant only copies it to cdk.out.
 */
export class ServerImage extends Construct {
  /** The artifact to hand to the `Runtime`. */
  public readonly artifact: AgentRuntimeArtifact;
  /** The Docker build context that was used. */
  public readonly contextDir: string;
  /** The deploy-time build, in `codebuild` mode. */
  public readonly containerImageBuild?: ContainerImageBuild;

  constructor(scope: Construct, id: string, props: ServerImageProps) {
    super(scope, id);
    this.contextDir = props.contextDir ?? stageServerImageContext();
    if (props.build === 'docker') {
      // fromAsset does not default to ARM64, and AgentCore runs ARM64 only.
      this.artifact = AgentRuntimeArtifact.fromAsset(this.contextDir, { platform: Platform.LINUX_ARM64 });
    } else {
      // Our own repository instead of the one ContainerImageBuild would make (same settings), for its lifecycle rule.
      const repository = new ecr.Repository(this, 'Repository', {
        removalPolicy: RemovalPolicy.DESTROY,
        emptyOnDelete: true,
        imageScanOnPush: true,
        // Safe to make immutable: without a `tag` prop, deploy-time-build's handler tags every Create/Update with 16
        // fresh random bytes (lambda/trigger-codebuild/index.ts), so no build ever pushes an existing tag again.
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        lifecycleRules: [
          {
            description: `Keep the ${KEPT_IMAGE_COUNT} newest images; the runtime runs the newest`,
            maxImageCount: KEPT_IMAGE_COUNT,
          },
        ],
      });
      this.containerImageBuild = new ContainerImageBuild(this, 'Build', {
        directory: this.contextDir,
        repository,
        platform: Platform.LINUX_ARM64,
      });
      this.artifact = AgentRuntimeArtifact.fromEcrRepository(
        this.containerImageBuild.repository,
        this.containerImageBuild.imageTag,
      );
      acknowledgeDeployTimeBuildFindings(Stack.of(this));
    }
  }
}

/**
 * ContainerImageBuild puts its CodeBuild project and its custom-resource Lambda at the top of the stack (they are
 * singletons), so their cdk-nag findings are acknowledged on those constructs here, right after they are made.
 */
function acknowledgeDeployTimeBuildFindings(stack: Stack): void {
  const find = (prefix: string) => {
    const found = stack.node.children.find((c) => c.node.id.startsWith(prefix));
    if (found === undefined) throw new Error(`ContainerImageBuild no longer creates a ${prefix}* construct`);
    return found;
  };
  const project = find('ContainerImageBuildArm64');
  const projectId = stack.getLogicalId(project.node.defaultChild as CfnResource);
  const qualifier =
    (stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ?? 'hnb659fds';
  const builds = 'The deploy-time image build (CodeBuild)';
  Validations.of(project).acknowledge(
    {
      id: 'AwsSolutions-CB4',
      reason: `${builds} produces no artifacts (NO_ARTIFACTS); it only pushes the image to ECR, encrypted there.`,
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly]',
      reason: `${builds} pulls the public Node base image from ECR Public; the AWS managed read-only policy is exactly that.`,
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${builds} needs ecr:GetAuthorizationToken, which has no resource-level permissions.`,
    },
    ...['s3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `${builds} reads its zipped build context from the CDK assets bucket (CDK's standard asset read grant).`,
    })),
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-${nagAccount(stack)}-${nagRegion(stack)}/*]`,
      reason: `${builds} reads its build context, an object of content-hashed name in the CDK assets bucket.`,
    },
    {
      id: `AwsSolutions-IAM5[Resource::${nagArn(stack, 'logs', `log-group:/aws/codebuild/<${projectId}>:*`)}]`,
      reason: `${builds} writes log streams of generated names in its own log group.`,
    },
    {
      id: `AwsSolutions-IAM5[Resource::${nagArn(stack, 'codebuild', `report-group/<${projectId}>-*`)}]`,
      reason: `${builds}: CodeBuild's standard grant for the project's own report groups.`,
    },
  );
  const handler = find('DeployTimeBuildCustomResourceHandler');
  Validations.of(handler).acknowledge(
    {
      id: 'AwsSolutions-L1',
      reason:
        'The deploy-time-build custom resource handler pins nodejs22.x; it only starts a CodeBuild build.',
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'The custom resource handler only needs to write its own logs, which is what this AWS managed policy grants.',
    },
  );
}
