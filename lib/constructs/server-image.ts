import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ContainerImageBuild } from '@cdklabs/deploy-time-build';
import { AgentRuntimeArtifact } from 'aws-cdk-lib/aws-bedrockagentcore';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Construct } from 'constructs';
import { SERVER_DOCKERFILE, bundleServer } from '../../server/bundle';
import type { ImageBuild } from '../config';

let staged: string | undefined;

/**
 * Bundles the server with esbuild into a fresh directory and copies the Dockerfile beside it: the whole Docker
 * build context (`Dockerfile`, `server.js`, `server.js.map`). Done once per process, since every app synthesized
 * in it bundles the same sources.
 *
 * @returns the directory
 */
export function stageServerImageContext(): string {
  if (staged !== undefined && fs.existsSync(path.join(staged, 'server.js'))) return staged;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-mcp-image-'));
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
      this.containerImageBuild = new ContainerImageBuild(this, 'Build', {
        directory: this.contextDir,
        platform: Platform.LINUX_ARM64,
      });
      this.artifact = AgentRuntimeArtifact.fromEcrRepository(
        this.containerImageBuild.repository,
        this.containerImageBuild.imageTag,
      );
    }
  }
}
