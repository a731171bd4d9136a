import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { runMain, startCli } from './lib/args';
import {
  readClientCredentials,
  readDeployment,
  StepFailure,
  type ClientCredentials,
  type Deployment,
} from './lib/deployment';
import { endpointEncodesArn } from './lib/diagnose';
import { McpProbe, type ProbeResult } from './lib/mcp-probe';
import { fetchClientCredentialsToken, type AccessToken } from './lib/oauth';

/**
 * `npm run smoke -- [--stack-prefix BillingMcp] [--region us-east-1] [--tool name]`: checks a deployment end to end
 * the way Amazon Quick will use it — stack outputs, the client secret, a client-credentials token, then initialize,
 * tools/list and one cheap tool call on the deployed endpoint — printing PASS/FAIL per step with the fix for each
 * common failure.
 */

/** Free (or nearly) tools to prove the server can reach AWS, in order of preference. */
export const SMOKE_TOOLS: readonly { name: string; args: Record<string, unknown>; note?: string }[] = [
  { name: 'get-budgets', args: {} },
  { name: 'list-pricing-attributes', args: { max_results: 5 } },
  {
    name: 'get-cost-and-usage',
    args: { period: 'last_7_days' },
    note: 'one paid Cost Explorer request, $0.01',
  },
];

export interface SmokeDeps {
  readonly stackPrefix: string;
  /** For messages; the clients carry their own region. */
  readonly region: string;
  readonly cloudFormation: CloudFormationClient;
  readonly secretsManager: SecretsManagerClient;
  readonly fetch?: typeof fetch;
  /** Per request (a cold start can take 30 s and more). */
  readonly timeoutMs?: number;
  /** Call this tool (with no arguments) instead of the first available of SMOKE_TOOLS. */
  readonly tool?: string;
  readonly print: (line: string) => void;
}

export interface StepResult {
  readonly step: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

/** The step names, in order, as printed. */
export const STEPS = [
  'stack outputs',
  'client secret',
  'access token',
  'initialize',
  'tools/list',
  'tools/call',
] as const;

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}

/** Runs every step until one fails (later steps depend on earlier ones) and returns what happened. */
export async function runSmoke(deps: SmokeDeps): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const print = (r: StepResult) => {
    results.push(r);
    deps.print(`${r.ok ? 'PASS' : 'FAIL'}  ${r.step.padEnd(14)} ${r.detail}`);
    if (r.fix) deps.print(`      fix: ${r.fix}`);
  };
  const timeoutMs = deps.timeoutMs ?? 60_000;

  async function step<T>(name: (typeof STEPS)[number], run: () => Promise<{ value: T; detail: string }>) {
    try {
      const { value, detail } = await run();
      print({ step: name, ok: true, detail });
      return value;
    } catch (err) {
      if (err instanceof StepFailure) print({ step: name, ok: false, detail: err.message, fix: err.fix });
      else
        print({
          step: name,
          ok: false,
          detail: `Unexpected error: ${(err as Error)?.message ?? String(err)}`,
        });
      return undefined;
    }
  }

  deps.print(`Smoke test of the ${deps.stackPrefix} stacks in ${deps.region}`);
  const deployment = await step<Deployment>('stack outputs', async () => {
    const d = await readDeployment(deps.cloudFormation, deps.stackPrefix, deps.region);
    return {
      value: d,
      detail: `${d.authStack} and ${d.runtimeStack}: endpoint ${d.mcpEndpointWithQualifier}`,
    };
  });
  if (!deployment) return results;

  const credentials = await step<ClientCredentials>('client secret', async () => {
    const c = await readClientCredentials(deps.secretsManager, deployment.clientSecretArn);
    if (c.clientId !== deployment.clientId) {
      throw new StepFailure(
        `The secret holds client ${c.clientId}, but the Auth stack's ClientId output is ${deployment.clientId}.`,
        'The secret is stale: redeploy the Auth stack so both describe the same app client.',
      );
    }
    return { value: c, detail: `client ${c.clientId}, scope ${c.scope ?? '(client default)'}` };
  });
  if (!credentials) return results;

  const token = await step<AccessToken>('access token', async () => {
    const t = await fetchClientCredentialsToken(credentials, { fetch: deps.fetch, timeoutMs });
    return {
      value: t,
      detail: `from ${credentials.tokenUrl}: scope "${t.scope ?? '?'}", expires in ${t.expiresIn ?? '?'} s`,
    };
  });
  if (!token) return results;

  if (!endpointEncodesArn(deployment.mcpEndpointWithQualifier, deployment.runtimeArn)) {
    deps.print(
      `note: the endpoint does not contain the URL-encoded runtime ARN; a 404 below would come from that.`,
    );
  }
  const probe = new McpProbe(deployment.mcpEndpointWithQualifier, token.accessToken, {
    fetch: deps.fetch,
    timeoutMs,
    runtimeArn: deployment.runtimeArn,
  });

  const initialized = await step<true>('initialize', async () => {
    const answer = await probe.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'billing-mcp-smoke', version: '1.0.0' },
    });
    if (answer.error || !answer.result?.serverInfo) {
      throw new StepFailure(
        `initialize was refused: ${answer.error?.message ?? 'no serverInfo in the answer'}`,
        'The endpoint answered, but not as this MCP server: check that the runtime runs the billing-mcp image.',
      );
    }
    await probe.notify('notifications/initialized');
    const info = answer.result.serverInfo;
    return {
      value: true,
      detail: `${info.name} ${info.version}, protocol ${answer.result.protocolVersion} (${answer.ms} ms)`,
    };
  });
  if (!initialized) return results;

  const tools = await step<NonNullable<ProbeResult['tools']>>('tools/list', async () => {
    const answer = await probe.request('tools/list');
    const list = answer.result?.tools ?? [];
    if (answer.error || list.length === 0) {
      throw new StepFailure(
        `tools/list returned ${answer.error ? `an error: ${answer.error.message}` : 'no tools'}.`,
        'The runtime runs an image without tools (an old or foreign build): redeploy the Runtime stack. Amazon ' +
          'Quick reads the tool list when the integration is created, so re-create or refresh it afterwards.',
      );
    }
    const writable = list.filter((t) => t.annotations?.readOnlyHint !== true).map((t) => t.name);
    return {
      value: list,
      detail:
        `${list.length} tools` +
        (writable.length
          ? `; WARNING: not marked read-only (Amazon Quick will route them through Action Review): ${writable.join(', ')}`
          : ', all read-only'),
    };
  });
  if (!tools) return results;

  await step<true>('tools/call', async () => {
    const names = new Set(tools.map((t) => t.name));
    const choice = deps.tool
      ? { name: deps.tool, args: {} as Record<string, unknown>, note: undefined }
      : SMOKE_TOOLS.find((t) => names.has(t.name));
    if (!choice || !names.has(choice.name)) {
      throw new StepFailure(
        `The server does not list ${deps.tool ?? SMOKE_TOOLS.map((t) => t.name).join(' / ')}.`,
        `Pass --tool with one of: ${[...names].slice(0, 10).join(', ')}.`,
      );
    }
    const answer = await probe.request('tools/call', { name: choice.name, arguments: choice.args });
    const text = (answer.result?.content ?? []).map((c) => c.text ?? '').join('\n');
    if (answer.error || answer.result?.isError) {
      throw new StepFailure(
        `${choice.name} failed: ${answer.error?.message ?? firstLine(text)}`,
        /Access denied/i.test(text)
          ? 'The execution role lacks the permission named above: redeploy the ExecutionRole stack.'
          : /deadline/i.test(text)
            ? 'AWS answered too slowly: run again (answers are cached), or raise TOOL_DEADLINE_SECONDS.'
            : 'Read the message above; the server log in CloudWatch has the details.',
      );
    }
    return {
      value: true,
      detail: `${choice.name} answered in ${answer.ms} ms${choice.note ? ` (${choice.note})` : ''}: ${firstLine(text)}`,
    };
  });
  return results;
}

const HELP = `Usage: npm run smoke -- [--stack-prefix BillingMcp] [--region us-east-1] [--tool get-budgets] [--timeout-seconds 60]

Checks the deployed server as Amazon Quick will use it: reads the stack outputs and the client secret, gets a
client-credentials token, then calls initialize, tools/list and one cheap tool on the endpoint. Uses your AWS
credentials (cloudformation:DescribeStacks, secretsmanager:GetSecretValue).`;

async function main(): Promise<number> {
  const start = await startCli(process.argv.slice(2), HELP, () =>
    new CloudFormationClient({}).config.region(),
  );
  if (start.exitCode !== undefined) return start.exitCode;
  const { options, region } = start;
  const results = await runSmoke({
    stackPrefix: options.stackPrefix,
    region,
    cloudFormation: new CloudFormationClient({ region }),
    secretsManager: new SecretsManagerClient({ region }),
    timeoutMs: options.timeoutSeconds * 1000,
    tool: options.tool,
    print: (line) => console.log(line),
  });
  const passed = results.filter((r) => r.ok).length;
  const ok = passed === STEPS.length;
  console.log(
    ok
      ? `\nAll ${STEPS.length} steps passed.`
      : `\n${passed}/${STEPS.length} steps passed; later steps need the failed one.`,
  );
  return ok ? 0 : 1;
}

if (require.main === module) runMain(main);
