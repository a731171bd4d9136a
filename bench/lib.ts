import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createGunzip, createInflate } from 'node:zlib';
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
  stop(): Promise<void>;
}

/**
 * Spawns `node <script>` and sends `initialize` as soon as the process says it listens (a line matching
 * `ready`), measuring spawn → answer. The floor and the server are started the same way.
 */
export async function startAndInitialize(
  script: string,
  env: Record<string, string>,
  port: number,
  ready: RegExp,
  nodeFlags: string[] = [],
): Promise<Started> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeFlags, script], {
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
 * either, in a zlib stream as fetch does. The floor is measured through this same function.
 */
export function rpc(url: string, body: unknown, agent: Agent = keepAlive): Promise<any> {
  const text = JSON.stringify(body);
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
        const encoding = res.headers['content-encoding'];
        if (encoding !== undefined && encoding !== 'gzip' && encoding !== 'deflate') {
          res.resume();
          return reject(new Error(`unexpected content-encoding ${encoding}`));
        }
        const decoded =
          encoding === 'gzip'
            ? res.pipe(createGunzip())
            : encoding === 'deflate'
              ? res.pipe(createInflate())
              : res;
        const chunks: Buffer[] = [];
        decoded.on('data', (c: Buffer) => chunks.push(c));
        decoded.on('error', reject);
        decoded.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200)
            return reject(new Error(`HTTP ${res.statusCode}: ${raw.slice(0, 300)}`));
          try {
            resolve(JSON.parse(raw));
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
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

/**
 * Requests per second with `clients` concurrent loops for `seconds`, each loop sending `body()` and waiting for
 * the answer before the next (closed loop), over its own keep-alive connection.
 */
export async function throughput(
  url: string,
  body: () => unknown,
  clients: number,
  seconds: number,
): Promise<{ rps: number; requests: number; errors: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  // Warm the connections and whatever the server builds on first use.
  await Promise.all(Array.from({ length: clients }, () => rpc(url, body(), agent)));
  const deadline = Date.now() + seconds * 1000;
  let requests = 0;
  let errors = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline) {
        try {
          await rpc(url, body(), agent);
          requests++;
        } catch {
          errors++;
        }
      }
    }),
  );
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
