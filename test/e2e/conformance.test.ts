import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CONFORMANCE_MODULES, NODE22 } from '../conformance/install';
import { FakeAws } from '../fake-aws/fake-aws';
import { startServer, type RunningServer } from './harness';

// The official MCP conformance suite (@modelcontextprotocol/conformance) against the bundled server, run with the
// Node 22 it needs; both live in test/conformance/ (installed by `npm test`'s pretest step).

const CLI = path.join(CONFORMANCE_MODULES, '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const run = promisify(execFile);

/** Scenarios that apply to a server with our capabilities (tools and prompts, stateless streamable HTTP). */
const APPLICABLE = ['server-initialize', 'ping', 'tools-list', 'prompts-list', 'dns-rebinding-protection'];

/** Every other server scenario, and why it does not apply. */
const NOT_APPLICABLE: Record<string, string> = {
  'logging-set-level': 'no logging capability: the server logs to stderr (CloudWatch), not to the client',
  'completion-complete': 'no completions capability',
  'json-schema-2020-12': 'needs the fixture tool json_schema_2020_12_tool',
  'elicitation-sep1034-defaults': 'needs a fixture tool that elicits; the server never elicits',
  'elicitation-sep1330-enums': 'needs a fixture tool that elicits; the server never elicits',
  'server-sse-polling': 'stateless server answering JSON, not SSE streams; no sessions to poll',
  'server-sse-multiple-streams': 'stateless server answering JSON, not SSE streams; no sessions',
  'resources-list': 'no resources capability',
  'resources-read-text': 'no resources capability',
  'resources-read-binary': 'no resources capability',
  'resources-templates-read': 'no resources capability',
  'resources-subscribe': 'no resources capability',
  'resources-unsubscribe': 'no resources capability',
  'prompts-get-simple':
    'needs the fixture prompt test_simple_prompt (our prompts are checked in prompts.test.ts)',
  'prompts-get-with-args': 'needs the fixture prompt test_prompt_with_arguments',
  'prompts-get-embedded-resource': 'needs a fixture prompt with an embedded resource',
  'prompts-get-with-image': 'needs a fixture prompt with an image',
};
const FIXTURE_TOOL_SCENARIOS = [
  'simple-text',
  'image',
  'audio',
  'embedded-resource',
  'mixed-content',
  'with-logging',
  'error',
  'with-progress',
  'sampling',
  'elicitation',
];
for (const s of FIXTURE_TOOL_SCENARIOS)
  NOT_APPLICABLE[`tools-call-${s}`] = 'needs a fixture tool (test_*) that a billing server does not offer';

interface Check {
  readonly id: string;
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string;
  readonly errorMessage?: string;
}

/** Runs one scenario against `url` and returns its checks, as the suite writes them to its output folder. */
async function scenario(name: string, url: string): Promise<Check[]> {
  const out = mkdtempSync(path.join(tmpdir(), 'billing-mcp-conformance-'));
  // The suite exits non-zero when a check fails; the checks themselves say which.
  await run(NODE22, [CLI, 'server', '--url', url, '--scenario', name, '-o', out], { timeout: 60_000 }).catch(
    () => undefined,
  );
  const [dir] = readdirSync(out);
  return JSON.parse(readFileSync(path.join(out, dir, 'checks.json'), 'utf8')) as Check[];
}

const failures = (checks: Check[]) =>
  checks.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${c.errorMessage ?? ''}`);

describe('the MCP conformance suite against the bundled server', () => {
  const fake = new FakeAws();
  let server: RunningServer;
  beforeAll(async () => {
    await fake.start();
    server = await startServer(fake);
  });
  afterAll(async () => {
    await server?.stop();
    await fake.stop();
  });

  test('classifies every server scenario the suite has: applicable, or not applicable with a reason', async () => {
    const { stdout } = await run(NODE22, [CLI, 'list', '--server'], { timeout: 60_000 });
    const listed = [...stdout.matchAll(/^\s+- ([a-z0-9-]+) \[/gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(10);
    expect([...listed].sort()).toEqual([...APPLICABLE, ...Object.keys(NOT_APPLICABLE)].sort());
  });

  test.each(APPLICABLE)('%s passes every check', async (name) => {
    const checks = await scenario(name, server.url);
    expect(checks.length).toBeGreaterThan(0);
    expect(failures(checks)).toEqual([]);
    expect(checks.some((c) => c.status === 'SUCCESS')).toBe(true);
  });
});

describe('negative control: the same suite fails a server without DNS-rebinding protection', () => {
  let bare: Server;
  let url: string;
  beforeAll(async () => {
    // Answers every POST 200 with a JSON-RPC result, whatever its Host and Origin: what the suite must catch.
    bare = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} }));
      });
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/mcp`;
  });
  afterAll(() => new Promise<void>((resolve) => bare.close(() => resolve())));

  test('dns-rebinding-protection reports the foreign Host/Origin being accepted', async () => {
    const checks = await scenario('dns-rebinding-protection', url);
    expect(failures(checks)).toEqual([expect.stringContaining('localhost-host-rebinding-rejected')]);
  });
});
