import fc from 'fast-check';
import { useServer } from '../e2e/harness';
import { pool, post, stackTraces, toolCall } from './rpc';
import { ALLOWED_MEMBER, hostileArguments, wellTypedObject, type JsonSchema } from './schema-arbitrary';

/*
 * Every tool the running (bundled) server lists is called with arguments generated from its own input schema —
 * valid-shaped and hostile — while the fake AWS endpoint answers every operation with an empty-but-valid response.
 * Calls travel as JSON-RPC batches over several HTTP connections at once, which keeps ~500 calls per tool within
 * seconds. Seeded: a failure names the tool and the arguments, and the same run reproduces it.
 */

const SEED = 20261124;
const VALID_PER_TOOL = 280;
const HOSTILE_PER_TOOL = 220;
/** `arguments` that are not an object at all. */
const NOT_AN_OBJECT: unknown[] = [undefined, null, [], ['a'], 'x', 42, true];
const CONCURRENT_CONNECTIONS = 4;
const MAX_BATCH_MESSAGES = 40;
const MAX_BATCH_BYTES = 600_000;
/**
 * An answer may exceed this only in proportion to its request: a tool's own text is capped at 16 KB, but the SDK's
 * input-validation error lists every bad element of a 10,000-element array. What must never happen is
 * amplification: a small request with a huge answer.
 */
const MAX_ANSWER_BYTES = 200_000;

const { fake, server, client } = useServer({ ALLOWED_TARGET_ACCOUNTS: ALLOWED_MEMBER });

interface Case {
  readonly id: number;
  readonly tool: string;
  readonly kind: 'valid-shaped' | 'hostile' | 'not-an-object';
  readonly args: unknown;
  readonly message: string;
}

interface Finding {
  readonly tool: string;
  readonly kind: string;
  readonly problem: string;
  readonly args: string;
}

const findings: Finding[] = [];
const unexpected: Finding[] = [];
const callsPerTool = new Map<string, number>();
/** Valid-shaped calls that got past input validation and ran the handler, per tool. */
const handled = new Map<string, number>();
let tools: { name: string; inputSchema: JsonSchema }[] = [];

function preview(args: unknown): string {
  const text = JSON.stringify(args) ?? String(args);
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

function casesFor(
  tool: { name: string; inputSchema: JsonSchema },
  index: number,
  nextId: () => number,
): Case[] {
  const make = (kind: Case['kind'], args: unknown): Case => {
    const id = nextId();
    return { id, tool: tool.name, kind, args, message: JSON.stringify(toolCall(id, tool.name, args)) };
  };
  const valid = fc.sample(wellTypedObject(tool.inputSchema), { seed: SEED + index, numRuns: VALID_PER_TOOL });
  const hostile = fc.sample(hostileArguments(tool.inputSchema), {
    seed: SEED + 10_000 + index,
    numRuns: HOSTILE_PER_TOOL,
  });
  return [
    ...valid.map((a) => make('valid-shaped', a)),
    ...hostile.map((a) => make('hostile', a)),
    ...NOT_AN_OBJECT.map((a) => make('not-an-object', a)),
  ];
}

function batches(cases: Case[]): Case[][] {
  const out: Case[][] = [];
  let current: Case[] = [];
  let bytes = 0;
  for (const c of cases) {
    if (
      current.length > 0 &&
      (current.length >= MAX_BATCH_MESSAGES || bytes + c.message.length > MAX_BATCH_BYTES)
    ) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(c);
    bytes += c.message.length;
  }
  if (current.length) out.push(current);
  return out;
}

function check(c: Case, response: any): void {
  const found = (problem: string): void => {
    findings.push({ tool: c.tool, kind: c.kind, problem, args: preview(c.args) });
  };
  if (!response) return found('no answer in the batch response');
  const traces = stackTraces(response);
  if (traces.length) found(`stack trace in the answer: ${traces[0]}`);
  const size = JSON.stringify(response).length;
  if (size > MAX_ANSWER_BYTES && size > 2 * c.message.length)
    found(`answer of ${size} bytes to a request of ${c.message.length}`);
  if ('error' in response) {
    if (typeof response.error?.code !== 'number' || typeof response.error?.message !== 'string')
      found(`malformed JSON-RPC error ${preview(response.error)}`);
    return;
  }
  const result = response.result;
  if (!result || !Array.isArray(result.content)) return found(`not a CallToolResult: ${preview(result)}`);
  const text = result.content.map((p: { text?: string }) => p.text ?? '').join('\n');
  if (c.kind === 'valid-shaped' && !/^MCP error -32602/.test(text))
    handled.set(c.tool, (handled.get(c.tool) ?? 0) + 1);
  if (result.isError && /failed unexpectedly/.test(text))
    unexpected.push({ tool: c.tool, kind: c.kind, problem: text.slice(0, 200), args: preview(c.args) });
}

beforeAll(async () => {
  fake.fallback = () => ({});
  tools = (await client().listTools()).tools as typeof tools;
});

test('every generated argument set gets a result or a JSON-RPC error: no crash, hang, stack trace or 500', async () => {
  expect(tools.length).toBeGreaterThan(0);
  let id = 0;
  const cases = tools.flatMap((tool, index) => casesFor(tool, index, () => ++id));
  for (const c of cases) callsPerTool.set(c.tool, (callsPerTool.get(c.tool) ?? 0) + 1);
  // Generating blocks the event loop for seconds; let fetch notice the keep-alive sockets the server closed meanwhile
  // so that it does not send the first requests down a dead connection.
  await new Promise((resolve) => setTimeout(resolve, 200));

  await pool(batches(cases), CONCURRENT_CONNECTIONS, async (batch) => {
    let answer;
    const started = Date.now();
    try {
      // The tool deadline is 45 s; an answer that takes longer than this is a hang.
      answer = await post(`${server().url}`, `[${batch.map((c) => c.message).join(',')}]`, {
        timeoutMs: 50_000,
      });
    } catch (err) {
      for (const c of batch)
        findings.push({
          tool: c.tool,
          kind: c.kind,
          problem: `${String(err)} ${String((err as { cause?: unknown }).cause ?? '')} after ${Date.now() - started} ms at ${started}`,
          args: preview(c.args),
        });
      return;
    }
    // A batch of one is answered with a bare response object.
    const responses = batch.length === 1 && !Array.isArray(answer.json) ? [answer.json] : answer.json;
    if (answer.status !== 200 || !Array.isArray(responses)) {
      for (const c of batch)
        findings.push({
          tool: c.tool,
          kind: c.kind,
          problem: `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`,
          args: preview(c.args),
        });
      return;
    }
    const byId = new Map(responses.map((r: { id: number }) => [r?.id, r]));
    for (const c of batch) check(c, byId.get(c.id));
  });

  const tooFew = tools.map((t) => [t.name, callsPerTool.get(t.name) ?? 0]).filter(([, n]) => Number(n) < 500);
  expect(tooFew).toEqual([]);
  // The generator must keep reaching the handlers, not only the schema validation in front of them.
  const rarelyHandled = tools
    .map((t) => [t.name, handled.get(t.name) ?? 0])
    .filter(([, n]) => Number(n) < 50);
  expect(rarelyHandled).toEqual([]);
  expect(findings.slice(0, 10)).toEqual([]);
  expect(server().process.exitCode).toBeNull();
}, 240_000);

test('no tool handler throws unexpectedly on fuzzed arguments or empty AWS answers', () => {
  expect(unexpected.slice(0, 10)).toEqual([]);
  expect(server().stderr()).not.toMatch(/"msg":"tool failed unexpectedly"/);
});

test('the server still answers ping and GET /ping afterwards', async () => {
  await expect(client().ping()).resolves.toEqual({});
  const res = await fetch(server().url.replace(/\/mcp$/, '/ping'));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'Healthy' });
});
