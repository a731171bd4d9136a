import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { stageServerImageContext } from '../../lib/constructs/server-image';
import { BUNDLE_FILES, SERVER_DOCKERFILE } from '../../server/bundle';
import { buildTestApp, evaluateCfn } from './helpers';

const SAMPLE_ARN = 'arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/BillingMcp_Server-AbC12xYz90';

/** The one resource of a type in a template, with its logical id. */
function only(template: Template, type: string): { id: string; resource: any } {
  const found = Object.entries(template.findResources(type));
  expect(found).toHaveLength(1);
  return { id: found[0][0], resource: found[0][1] };
}

/** The Docker build context of the image: the Dockerfile and both bundles with their maps, sorted. */
const IMAGE_CONTEXT_FILES = ['Dockerfile', 'app.js', 'app.js.map', 'server.js', 'server.js.map'];

describe('RuntimeStack, default (deploy-time CodeBuild image)', () => {
  let runtime: Template;
  let auth: Template;
  let assemblyDir: string;
  beforeAll(() => {
    const { app, stacks } = buildTestApp({
      extraAllowedClientIds: 'extra-client-1,extra-client-2',
      logLevel: 'warn',
    });
    assemblyDir = app.synth().directory;
    runtime = Template.fromStack(stacks.runtime);
    auth = Template.fromStack(stacks.auth);
  });

  /** The Auth stack output exported under an import's name. */
  const exported = (importValue: { 'Fn::ImportValue': string }) =>
    Object.values(auth.toJSON().Outputs as Record<string, any>).find(
      (o) => o.Export?.Name === importValue['Fn::ImportValue'],
    )?.Value;

  test('speaks MCP on the public network, as the configured runtime name', () => {
    runtime.hasResourceProperties('AWS::BedrockAgentCore::Runtime', {
      ProtocolConfiguration: 'MCP',
      NetworkConfiguration: { NetworkMode: 'PUBLIC' },
      AgentRuntimeName: 'BillingMcp_Server',
    });
  });

  test('the JWT authorizer allows the Quick client and the extras, requires the invoke scope, and no audience', () => {
    const { resource } = only(runtime, 'AWS::BedrockAgentCore::Runtime');
    const jwt = resource.Properties.AuthorizerConfiguration.CustomJWTAuthorizer;
    expect(jwt.AllowedClients).toHaveLength(3);
    expect(exported(jwt.AllowedClients[0])).toEqual({ Ref: only(auth, 'AWS::Cognito::UserPoolClient').id });
    expect(jwt.AllowedClients.slice(1)).toEqual(['extra-client-1', 'extra-client-2']);
    expect(jwt.AllowedScopes).toEqual(['billing-mcp/invoke']);
    expect(jwt).not.toHaveProperty('AllowedAudience');
  });

  test('the discovery URL is the user pool’s OIDC configuration', () => {
    const { resource } = only(runtime, 'AWS::BedrockAgentCore::Runtime');
    const url = resource.Properties.AuthorizerConfiguration.CustomJWTAuthorizer.DiscoveryUrl;
    const poolImport = url['Fn::Join'][1][3];
    expect(exported(poolImport)).toEqual({ Ref: only(auth, 'AWS::Cognito::UserPool').id });
    const evaluated = evaluateCfn(
      { 'Fn::Join': ['', url['Fn::Join'][1].map((p: unknown) => (p === poolImport ? 'eu-west-1_Pool' : p))] },
      { refs: { 'AWS::Region': 'eu-west-1' } },
    );
    expect(evaluated).toBe(
      'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool/.well-known/openid-configuration',
    );
  });

  test('passes the cross-account settings and only the configured pass-throughs to the server', () => {
    const { resource } = only(runtime, 'AWS::BedrockAgentCore::Runtime');
    expect(resource.Properties.EnvironmentVariables).toEqual({
      CROSS_ACCOUNT_ROLE_NAME: 'BillingMCPCrossAccountRole',
      LOG_LEVEL: 'warn',
      // The shared cache table (sharedCache is on by default); see shared-cache-table.test.ts.
      SHARED_CACHE_TABLE: { Ref: Object.keys(runtime.findResources('AWS::DynamoDB::Table'))[0] },
    });
  });

  test('runs as the execution role of the execution role stack', () => {
    runtime.hasResourceProperties('AWS::BedrockAgentCore::Runtime', {
      RoleArn: { 'Fn::ImportValue': Match.stringLikeRegexp('^BillingMcp-ExecutionRole:.*Role.*Arn') },
    });
  });

  test('builds the image for ARM64 on an ARM CodeBuild project, without Docker at synth', () => {
    runtime.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { Type: 'ARM_CONTAINER', Image: Match.stringLikeRegexp('aarch64') },
    });
    runtime.hasResourceProperties('Custom::CDKContainerImageBuild', {
      buildCommand: Match.stringLikeRegexp('--platform linux/arm64'),
    });
  });

  test('the runtime runs the image tag that build produced', () => {
    const build = only(runtime, 'Custom::CDKContainerImageBuild').id;
    const { resource } = only(runtime, 'AWS::BedrockAgentCore::Runtime');
    expect(
      JSON.stringify(resource.Properties.AgentRuntimeArtifact.ContainerConfiguration.ContainerUri),
    ).toContain(JSON.stringify({ 'Fn::GetAtt': [build, 'ImageTag'] }));
  });

  test('the image repository keeps only the 10 newest images', () => {
    const { resource } = only(runtime, 'AWS::ECR::Repository');
    const policy = JSON.parse(resource.Properties.LifecyclePolicy.LifecyclePolicyText);
    expect(policy.rules).toEqual([
      {
        rulePriority: 1,
        description: 'Keep the 10 newest images; the runtime runs the newest',
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 },
        action: { type: 'expire' },
      },
    ]);
    // As ContainerImageBuild's own repository would be: emptied on stack deletion, scanned on push.
    expect(resource.Properties).toMatchObject({
      EmptyOnDelete: true,
      ImageScanningConfiguration: { ScanOnPush: true },
    });
  });

  test('image tags are immutable: a pushed tag always names the image it was pushed with', () => {
    const { resource } = only(runtime, 'AWS::ECR::Repository');
    expect(resource.Properties.ImageTagMutability).toBe('IMMUTABLE');
  });

  test('grants the execution role image pull on the build repository, from this stack', () => {
    const repository = only(runtime, 'AWS::ECR::Repository').id;
    const [[, policy]] = executionRolePolicies();
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [repository, 'Arn'] },
    });
  });

  /** The policies this stack attaches to the execution role (imported from the execution role stack). */
  const executionRolePolicies = () =>
    Object.entries(runtime.findResources('AWS::IAM::Policy')).filter(([, p]) =>
      JSON.stringify(p.Properties.Roles).includes('"BillingMcp-ExecutionRole:'),
    );

  test('the runtime is created only after the permissions granted to its role', () => {
    const policies = executionRolePolicies();
    // One policy: everything the Runtime construct and the image pull grant, attached to the imported role.
    expect(policies).toHaveLength(1);
    expect(only(runtime, 'AWS::BedrockAgentCore::Runtime').resource.DependsOn).toContain(policies[0][0]);
  });

  test('the build context in the cloud assembly is the bundled server and the Dockerfile', () => {
    const contexts = fs
      .readdirSync(assemblyDir)
      .filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(assemblyDir, d, 'Dockerfile')));
    expect(contexts).toHaveLength(1);
    const dir = path.join(assemblyDir, contexts[0]);
    expect(fs.readdirSync(dir).sort()).toEqual(IMAGE_CONTEXT_FILES);
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(
      fs.readFileSync(SERVER_DOCKERFILE, 'utf8'),
    );
    expect(fs.statSync(path.join(dir, 'app.js')).size).toBeGreaterThan(10_000);
  });

  test('the Dockerfile copies every bundle file with its map, and nothing else', () => {
    const copied = (dockerfile: string) => /^COPY (.*) \.\/$/m.exec(dockerfile)?.[1].split(' ').sort() ?? [];
    const dockerfile = fs.readFileSync(SERVER_DOCKERFILE, 'utf8');
    expect(copied(dockerfile)).toEqual(BUNDLE_FILES.flatMap((f) => [f, `${f}.map`]).sort());
    // Negative control: a Dockerfile that forgot app.js.
    expect(copied(dockerfile.replace(/^(COPY .*) app\.js /m, '$1 '))).not.toEqual(copied(dockerfile));
  });

  test('McpEndpoint, evaluated for a sample ARN, is the invocation URL with the ARN as encodeURIComponent encodes it', () => {
    const { id } = only(runtime, 'AWS::BedrockAgentCore::Runtime');
    const values = {
      refs: { 'AWS::Region': 'eu-west-1' },
      getAtts: { [`${id}.AgentRuntimeArn`]: SAMPLE_ARN },
    };
    const outputs = runtime.toJSON().Outputs;
    const expected = `https://bedrock-agentcore.eu-west-1.amazonaws.com/runtimes/${encodeURIComponent(SAMPLE_ARN)}/invocations`;
    expect(evaluateCfn(outputs.McpEndpoint.Value, values)).toBe(expected);
    expect(evaluateCfn(outputs.McpEndpointWithQualifier.Value, values)).toBe(`${expected}?qualifier=DEFAULT`);
    expect(evaluateCfn(outputs.RuntimeArn.Value, values)).toBe(SAMPLE_ARN);
  });
});

describe('RuntimeStack with imageBuild=docker', () => {
  let runtime: Template;
  let assets: any;
  beforeAll(() => {
    const { app, stacks } = buildTestApp({ imageBuild: 'docker' });
    const assembly = app.synth();
    runtime = Template.fromStack(stacks.runtime);
    assets = JSON.parse(
      fs.readFileSync(path.join(assembly.directory, `${stacks.runtime.artifactId}.assets.json`), 'utf8'),
    );
  });

  test('uses a local Docker image asset built for linux/arm64', () => {
    const images = Object.values(assets.dockerImages) as any[];
    expect(images).toHaveLength(1);
    expect(images[0].source.platform).toBe('linux/arm64');
  });

  test('has no deploy-time build', () => {
    runtime.resourceCountIs('AWS::CodeBuild::Project', 0);
    runtime.resourceCountIs('Custom::CDKContainerImageBuild', 0);
  });

  test('still speaks MCP', () => {
    runtime.hasResourceProperties('AWS::BedrockAgentCore::Runtime', { ProtocolConfiguration: 'MCP' });
  });
});

describe('stageServerImageContext', () => {
  test('bundles server/src/boot.ts into server.js and server/src/main.ts into app.js, beside a copy of the Dockerfile', () => {
    const dir = stageServerImageContext();
    expect(fs.readdirSync(dir).sort()).toEqual(IMAGE_CONTEXT_FILES);
    // The source maps name each bundle's entry point (reading a map as text is enough).
    expect(fs.readFileSync(path.join(dir, 'server.js.map'), 'utf8')).toContain('server/src/boot.ts"');
    expect(fs.readFileSync(path.join(dir, 'app.js.map'), 'utf8')).toContain('server/src/main.ts"');
  });

  test('app.js is plain ASCII, as boot.ts reads it (as Latin-1); the check finds a non-ASCII byte', () => {
    const nonAscii = (bytes: Buffer) => bytes.findIndex((b) => b > 0x7f);
    expect(nonAscii(fs.readFileSync(path.join(stageServerImageContext(), 'app.js')))).toBe(-1);
    expect(nonAscii(Buffer.from('const euro = "€";'))).toBeGreaterThan(0);
  });
});
