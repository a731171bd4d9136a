import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';
import { BASE_ACCESS_KEY, BASE_SECRET_KEY, type FakeAws } from '../test/fake-aws/fake-aws';

/** Headers every MCP POST carries (the SDK transport answers 406/415 otherwise). */
export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
};

/** A free loopback port (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Started {
  readonly url: string;
  readonly child: ChildProcess;
  /** Milliseconds from spawn to the first `initialize` answered. */
  readonly startToInitializeMs: number;
  /** When the process was spawned (process.hrtime.bigint()), for spawn → later answers. */
  readonly spawnedAt: bigint;
  stop(): Promise<void>;
}

/**
 * Spawns `node <script>` (this process's Node unless `nodeBinary` names another) and sends `initialize` as soon as
 * the process says it listens (a line matching `ready`), measuring spawn → answer. The floor and the server are
 * started the same way.
 */
export async function startAndInitialize(
  script: string,
  env: Record<string, string>,
  port: number,
  ready: RegExp,
  nodeFlags: string[] = [],
  nodeBinary: string = process.execPath,
): Promise<Started> {
  const started = process.hrtime.bigint();
  const child = spawn(nodeBinary, [...nodeFlags, script], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line from ${script}:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (ready.test(output)) {
        clearTimeout(timer);
        // Stop collecting: kept, every later log line would copy and rescan all output so far in this process
        // (the load generator's), a cost growing with the server's log that the floor, which logs nothing, never pays.
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  await rpc(url, initializeRequest(1));
  const startToInitializeMs = Number(process.hrtime.bigint() - started) / 1e6;
  // Keep draining the pipes so a chatty server never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    url,
    child,
    startToInitializeMs,
    spawnedAt: started,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function initializeRequest(id: number) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
  };
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One JSON-RPC POST over a keep-alive connection; resolves with the parsed body. It behaves like the MCP SDK's
 * client (Node's fetch): it offers `accept-encoding: gzip, deflate` and inflates the answer when the server used
 * either. The floor is measured through this same function.
 */
export async function rpc(url: string, body: unknown, agent: Agent = keepAlive): Promise<any> {
  const answer = await post(url, JSON.stringify(body), agent);
  const text = decode(answer);
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Calls a tool and returns its result (throws on a JSON-RPC error or an isError result). */
export async function callTool(
  url: string,
  name: string,
  args: Record<string, unknown>,
  id = 1,
): Promise<any> {
  const answer = await rpc(url, {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args },
  });
  if (answer.error) throw new Error(`${name}: ${JSON.stringify(answer.error)}`);
  if (answer.result.isError) throw new Error(`${name}: ${answer.result.content?.[0]?.text}`);
  return answer.result;
}

/** An answer as it came off the wire: status, content-encoding and the body bytes, not decoded. */
interface RawAnswer {
  readonly status: number;
  readonly encoding: string | undefined;
  readonly bytes: Buffer;
}

/** One POST over a keep-alive connection, offering gzip like {@link rpc}; the body is kept as it came. */
function post(url: string, text: string, agent: Agent): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          ...MCP_HEADERS,
          'accept-encoding': 'gzip, deflate',
          'content-length': Buffer.byteLength(text),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            encoding: res.headers['content-encoding'],
            bytes: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** The body of an answer as text, inflated when the server compressed it. */
function decode({ encoding, bytes }: RawAnswer): string {
  const decoded =
    encoding === 'gzip'
      ? gunzipSync(bytes)
      : encoding === 'deflate'
        ? inflateSync(bytes)
        : encoding === undefined
          ? bytes
          : undefined;
  if (!decoded) throw new Error(`unexpected content-encoding ${encoding}`);
  return decoded.toString('utf8');
}

/** Decodes and parses an answer; throws unless it is HTTP 200 with a JSON-RPC result that is not a tool error. */
function checkAnswer(answer: RawAnswer): void {
  const text = decode(answer);
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${text.slice(0, 300)}`);
  const message = JSON.parse(text);
  if (!message || typeof message !== 'object' || !('result' in message) || message.result?.isError) {
    throw new Error(`not a successful JSON-RPC result: ${text.slice(0, 300)}`);
  }
}

/** Seconds of the same load {@link throughput} runs before it starts counting. */
export const WARM_UP_SECONDS = 2;

/** How {@link throughput} checks each answer. */
export type AnswerCheck =
  /**
   * Decode and check the first answer to each distinct request; a later answer must be the same bytes, or it is
   * decoded and checked in turn. As load generators do (they do not parse what they measure), the loop then costs
   * the measuring process little beyond receiving the bytes, so the figure is the server's.
   */
  | 'same-bytes'
  /** Decode (gunzip) and parse every answer, as a client using each answer would: the client's cost included. */
  | 'decode-every-answer';

/**
 * Requests per second with `clients` concurrent loops for `seconds`, each loop sending `body()` and waiting for
 * the answer before the next (closed loop), over its own keep-alive connection, after WARM_UP_SECONDS of the same
 * load. Every answer is checked (HTTP 200,
 * a JSON-RPC result, not a tool error), as `check` says.
 */
export async function throughput(
  url: string,
  body: () => unknown,
  clients: number,
  seconds: number,
  check: AnswerCheck = 'same-bytes',
): Promise<{ rps: number; requests: number; errors: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const checked = new Map<string, Buffer>();
  const once = async () => {
    const text = JSON.stringify(body());
    const answer = await post(url, text, agent);
    if (check === 'same-bytes' && answer.status === 200 && checked.get(text)?.equals(answer.bytes)) return;
    checkAnswer(answer);
    if (check === 'same-bytes') checked.set(text, answer.bytes);
  };
  const loop = async (until: number, onAnswer: (ok: boolean) => void) => {
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (Date.now() < until) {
          try {
            await once();
            onAnswer(true);
          } catch {
            onAnswer(false);
          }
        }
      }),
    );
  };
  // Steady state: the same load for a warm-up period first (connections, whatever the server builds on first use,
  // and the JIT, which needs longer for the server's code than for the floor's), not counted.
  let warmUpErrors = 0;
  await loop(Date.now() + WARM_UP_SECONDS * 1000, (ok) => {
    if (!ok) warmUpErrors++;
  });
  let requests = 0;
  let errors = warmUpErrors;
  const started = process.hrtime.bigint();
  await loop(Date.now() + seconds * 1000, (ok) => {
    if (ok) requests++;
    else errors++;
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { rps: requests / elapsed, requests, errors };
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return kb * 1024;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The environment the bundled server runs with against the fake AWS endpoint (no real AWS, no network). */
export function serverEnv(fake: FakeAws, extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(path.join(tmpdir(), 'billing-mcp-bench-'));
  return {
    HOME: home,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: BASE_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: BASE_SECRET_KEY,
    AWS_ENDPOINT_URL: fake.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
    BILLING_MCP_CLOCK: '2026-11-24T12:00:00Z',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/**
 * The floor: a bare Node HTTP server that answers every POST with the given JSON-RPC result (the server's own
 * `initialize` result), echoing the request id. Written to a temporary file and run with plain `node`.
 */
export function writeFloorScript(result: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'billing-mcp-floor-'));
  const file = path.join(dir, 'floor.js');
  writeFileSync(
    file,
    `const http = require('node:http');
const RESULT = ${JSON.stringify(result)};
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const out = JSON.stringify({ result: RESULT, jsonrpc: '2.0', id: msg.id });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
});
server.listen(Number(process.env.PORT), process.env.HOST, () => console.log('listening'));
process.on('SIGTERM', () => process.exit(0));
`,
  );
  return file;
}
