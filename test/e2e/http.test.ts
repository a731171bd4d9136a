import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { version } from '../../package.json';
import { BUNDLE_FILES } from '../../server/bundle';
import { BASE_ACCESS_KEY, BASE_SECRET_KEY, FakeAws } from '../fake-aws/fake-aws';
import { SERVER_BUNDLE, startServer, TEST_CLOCK, type RunningServer } from './harness';

// Raw HTTP against the bundled server: the rules AgentCore, Amazon Quick and the MCP Inspector rely on.

const MEMBER = '222222222222';
const fake = new FakeAws();
let server: RunningServer;

beforeAll(async () => {
  await fake.start();
  server = await startServer(fake, { ALLOWED_TARGET_ACCOUNTS: MEMBER, LOG_LEVEL: 'debug' });
});
afterAll(async () => {
  await server?.stop();
  await fake.stop();
});
beforeEach(() => fake.reset());

const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

function endpoint(p: string, base = server.url): string {
  return new URL(p, base).toString();
}

function rpc(method: string, params?: unknown, id: number | string = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
}

const INITIALIZE = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'raw-http-test', version: '1.0.0' },
};

async function postMcp(body: string, headers: Record<string, string> = {}, base?: string) {
  const res = await fetch(endpoint('/mcp', base), {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body,
  });
  const text = await res.text();
  return { res, text, json: text ? JSON.parse(text) : undefined };
}

describe('HTTP rules', () => {
  test.each(['GET', 'DELETE'])(
    '%s /mcp answers 405 with Allow: POST and a JSON-RPC error body',
    async (method) => {
      const res = await fetch(endpoint('/mcp'), {
        method,
        headers: { accept: 'application/json, text/event-stream' },
      });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      const body = await res.json();
      expect(body).toEqual({
        jsonrpc: '2.0',
        error: { code: -32000, message: expect.stringContaining('only accepts POST /mcp') },
        id: null,
      });
    },
  );

  test('GET /ping answers 200 {"status":"Healthy"}', async () => {
    const res = await fetch(endpoint('/ping'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'Healthy' });
  });

  test('keeps idle connections for 65 s and says so (no close racing a reused connection)', async () => {
    const res = await fetch(endpoint('/ping'));
    await res.arrayBuffer();
    expect(res.headers.get('keep-alive')).toBe('timeout=65');
  });

  test('an unknown path answers 404', async () => {
    const get = await fetch(endpoint('/nope'));
    expect(get.status).toBe(404);
    const post = await fetch(endpoint('/mcp/extra'), { method: 'POST', headers: MCP_HEADERS, body: '{}' });
    expect(post.status).toBe(404);
  });

  test('malformed JSON answers a JSON-RPC parse error (-32700)', async () => {
    const { res, json } = await postMcp('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(res.status).toBe(400);
    expect(json).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: expect.any(String) }, id: null });
  });

  test('a body over 1 MiB answers 413', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
      params: { pad: 'x'.repeat(1024 * 1024) },
    });
    const res = await fetch(endpoint('/mcp'), { method: 'POST', headers: MCP_HEADERS, body: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32600);
  });

  test('a chunked body that grows past 1 MiB answers 413 too', async () => {
    const url = new URL(endpoint('/mcp'));
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: MCP_HEADERS },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const chunk = 'x'.repeat(64 * 1024);
      // Without content-length the size is only known while reading: 17 × 64 KiB > 1 MiB.
      for (let i = 0; i < 17; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
  });

  test('ping with params null succeeds (AgentCore health checks send it)', async () => {
    const { res, json } = await postMcp(
      JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping', params: null }),
    );
    expect(res.status).toBe(200);
    expect(json).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
  });

  test('accepts the session headers AgentCore adds, on initialize and on tools/call', async () => {
    const sessionHeaders = {
      'mcp-session-id': 'agentcore-session-0123456789abcdef0123456789abcdef',
      'x-amzn-bedrock-agentcore-runtime-session-id': 'runtime-session-0123456789abcdef0123456789ab',
    };
    const init = await postMcp(rpc('initialize', INITIALIZE), sessionHeaders);
    expect(init.res.status).toBe(200);
    expect(init.json.result.serverInfo).toEqual({ name: 'billing-mcp', version });

    fake.on('ce:GetTags', () => ({ Tags: ['team'], ReturnSize: 1, TotalSize: 1 }));
    const call = await postMcp(rpc('tools/call', { name: 'get-tag-values', arguments: {} }, 2), {
      ...sessionHeaders,
      'mcp-protocol-version': '2025-06-18',
    });
    expect(call.res.status).toBe(200);
    expect(call.json.result.isError).toBeFalsy();
    expect(call.json.result.structuredContent.items).toEqual(['team']);
  });

  test('logs are JSON lines and never contain the secret key or an assumed session token', async () => {
    fake.on('ce:GetCostAndUsage', () => ({ ResultsByTime: [] }));
    for (const target of [undefined, MEMBER]) {
      const { json } = await postMcp(
        rpc('tools/call', {
          name: 'get-cost-and-usage',
          arguments: {
            period: 'last_month',
            refresh: true,
            ...(target ? { target_account_id: target } : {}),
          },
        }),
      );
      expect(json.result.isError).toBeFalsy();
    }
    expect(fake.callsTo('sts:AssumeRole')).toHaveLength(1);
    const stderr = server.stderr();
    const lines = stderr.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const entry = JSON.parse(line);
      expect(typeof entry.level).toBe('string');
      expect(typeof entry.msg).toBe('string');
    }
    expect(stderr).toContain('"msg":"tool call"');
    for (const secret of [BASE_SECRET_KEY, `secret-${MEMBER}`, `token-${MEMBER}`]) {
      expect(stderr).not.toContain(secret);
    }
  });
});

/** Spawns a bundle with the test environment and collects its output until it exits or listens. */
describe('DNS-rebinding protection (MCP specification: Origin validated, 403)', () => {
  const TOOL_CALL = rpc('tools/call', { name: 'get-cost-and-usage', arguments: { period: 'last_month' } });

  test('a request with a foreign Origin gets 403 and reaches no AWS API', async () => {
    const { res, json } = await postMcp(TOOL_CALL, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(json.error.message).toMatch(/Origin "https:\/\/evil.example" is not allowed.*ALLOWED_ORIGINS/);
    expect(fake.calls).toHaveLength(0);
  });

  test('a foreign Host on a loopback-bound server gets 403 (a rebound name pointing at 127.0.0.1)', async () => {
    const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const target = new URL(server.url);
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: '/mcp',
          method: 'POST',
          headers: { ...MCP_HEADERS, host: 'evil.example' },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        },
      );
      req.on('error', reject);
      req.end(TOOL_CALL);
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('Host header must name loopback');
    expect(fake.calls).toHaveLength(0);
  });

  test('no Origin (servers, Amazon Quick, AgentCore) and a loopback Origin (a local inspector) are served', async () => {
    expect((await postMcp(rpc('ping'))).res.status).toBe(200);
    expect((await postMcp(rpc('ping'), { origin: 'http://localhost:6274' })).res.status).toBe(200);
  });

  test('an origin listed in ALLOWED_ORIGINS is served, others still get 403', async () => {
    const listed = await startServer(fake, { ALLOWED_ORIGINS: 'https://finops.example.com' });
    try {
      const ok = await postMcp(rpc('ping'), { origin: 'https://finops.example.com' }, listed.url);
      expect(ok.res.status).toBe(200);
      const other = await postMcp(rpc('ping'), { origin: 'https://other.example.com' }, listed.url);
      expect(other.res.status).toBe(403);
    } finally {
      await listed.stop();
    }
  });

  test('a server bound to all interfaces (AgentCore) accepts any Host', async () => {
    const open = await startServer(fake, { HOST: '0.0.0.0' });
    try {
      const url = open.url.replace('0.0.0.0', '127.0.0.1');
      expect((await postMcp(rpc('ping'), {}, url)).res.status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});

describe('JSON-RPC errors (MCP specification: protocol errors, not tool results)', () => {
  test('an unknown tool is -32602 Invalid params, and no AWS API is called', async () => {
    const { res, json } = await postMcp(rpc('tools/call', { name: 'delete-everything', arguments: {} }, 7));
    expect(res.status).toBe(200);
    expect(json).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32602,
        message: expect.stringMatching(/^Unknown tool: "delete-everything"\. Call tools\/list/),
      },
    });
    expect(fake.calls).toHaveLength(0);
  });

  test.each([
    ['without a name', { arguments: {} }],
    ['with a numeric name', { name: 42 }],
    ['with arguments that are not an object', { name: 'get-budgets', arguments: [1, 2] }],
  ])('a tools/call %s is -32602 with a plain message, not a schema dump', async (_, params) => {
    const { json } = await postMcp(rpc('tools/call', params, 8));
    expect(json.id).toBe(8);
    expect(json.error.code).toBe(-32602);
    expect(json.error.message).toMatch(/^Invalid params: tools\/call needs params\.name/);
    expect(json.error.message).not.toMatch(/expected|invalid_type|"path"|\[/);
  });

  test.each([
    ['an object that is not a message', '{"hello":"world"}'],
    ['a number', '42'],
    ['a string', '"initialize"'],
    ['an empty batch', '[]'],
    ['a message with jsonrpc 1.0', '{"jsonrpc":"1.0","id":1,"method":"ping"}'],
  ])('valid JSON that is %s is -32600 Invalid Request', async (_, body) => {
    const { res, json } = await postMcp(body);
    expect(res.status).toBe(400);
    expect(json).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: expect.stringMatching(/^Invalid Request/) },
    });
  });
});

function spawnBundle(bundle: string, env: Record<string, string>, cwd?: string) {
  const home = mkdtempSync(path.join(tmpdir(), 'billing-mcp-home-'));
  const child = spawn(process.execPath, [bundle], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      HOST: '127.0.0.1',
      PORT: '0',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: BASE_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: BASE_SECRET_KEY,
      AWS_ENDPOINT_URL: fake.url,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: path.join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
      BILLING_MCP_CLOCK: TEST_CLOCK,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line:\n${stderr}`)), 15_000);
    child.stderr!.on('data', () => {
      const m = /"msg":"listening".*?"url":"([^"]+)"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(() => clearTimeout(timer));
  });
  return { child, exited, listening, output: () => ({ stdout, stderr }) };
}

describe('process lifecycle', () => {
  test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const own = await startServer(fake, {});
    fake.on('ce:GetCostAndUsage', () => ({ ResultsByTime: [] }));
    fake.latencyMs = 1500;
    const inFlight = postMcp(
      rpc('tools/call', { name: 'get-cost-and-usage', arguments: { period: 'last_month', refresh: true } }),
      {},
      own.url,
    );
    // Wait until the request has reached AWS, so it is truly in flight when the signal arrives.
    while (fake.callsTo('ce:GetCostAndUsage').length === 0) await new Promise((r) => setTimeout(r, 20));
    const exited = new Promise<number | null>((resolve) => own.process.once('exit', (code) => resolve(code)));
    own.process.kill('SIGTERM');
    const { res, json } = await inFlight;
    expect(res.status).toBe(200);
    expect(json.result.isError).toBeFalsy();
    expect(json.result.structuredContent.range).toEqual({ start: '2026-10-01', end: '2026-11-01' });
    expect(await exited).toBe(0);
    expect(own.stderr()).toContain('"msg":"draining"');
  });

  test('a bad environment value stops startup with one clear line and a non-zero exit', async () => {
    const bad = spawnBundle(SERVER_BUNDLE, { ALLOWED_TARGET_ACCOUNTS: 'abc' });
    const code = await bad.exited;
    expect(code).not.toBe(0);
    const { stderr } = bad.output();
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      level: 'error',
      msg: 'Invalid configuration: ALLOWED_TARGET_ACCOUNTS must be "*" or comma-separated 12-digit account ids; not valid: abc',
    });
  });

  test('names every bad variable in that one line', async () => {
    const bad = spawnBundle(SERVER_BUNDLE, { PORT: 'eighty', LOG_LEVEL: 'loud', MAX_PAGES: '0' });
    expect(await bad.exited).not.toBe(0);
    const { stderr } = bad.output();
    expect(stderr.trim().split('\n')).toHaveLength(1);
    for (const name of ['PORT', 'LOG_LEVEL', 'MAX_PAGES']) expect(stderr).toContain(`${name} must be`);
  });

  test('the bundle runs with plain node from a directory without node_modules', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'billing-mcp-bundle-'));
    for (const file of BUNDLE_FILES)
      copyFileSync(path.join(path.dirname(SERVER_BUNDLE), file), path.join(dir, file));
    expect(readdirSync(dir).sort()).toEqual(['app.js', 'server.js']);
    const copy = path.join(dir, 'server.js');
    const run = spawnBundle(copy, {}, dir);
    try {
      const url = await run.listening;
      const { res, json } = await postMcp(rpc('initialize', INITIALIZE), {}, url);
      expect(res.status).toBe(200);
      expect(json.result.serverInfo).toEqual({ name: 'billing-mcp', version });
      const list = await postMcp(rpc('tools/list', {}, 2), {}, url);
      expect(list.json.result.tools.length).toBeGreaterThan(0);
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    }
  });
});
