import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { awsError, BASE_ACCESS_KEY, BASE_SECRET_KEY, FakeAws } from '../fake-aws/fake-aws';
import { GC_FLAGS } from '../../server/node-options';
import { SERVER_BUNDLE, TEST_CLOCK } from './harness';

// What the bundle does before its first tool call: a cold AgentCore microVM answers `initialize` and `tools/list`
// first, so nothing there may wait on the AWS SDK.

const dir = mkdtempSync(path.join(tmpdir(), 'billing-mcp-startup-'));
// Preloaded into the server: logs each Node built-in module the first time anything loads it and every HTTP answer
// sent, in the order they happen. The SDK clients and their HTTP handler
// are the only parts of the bundle that use `https` and `os`.
const HOOK = path.join(dir, 'hook.js');
writeFileSync(
  HOOK,
  `const Module = require('node:module');
const { ServerResponse } = require('node:http');
const say = (line) => process.stderr.write(JSON.stringify(line) + '\\n');
const load = Module._load;
const seen = new Set();
Module._load = function (request, ...rest) {
  const name = request.replace(/^node:/, '');
  if (Module.isBuiltin(request) && !seen.has(name)) {
    seen.add(name);
    say({ msg: 'builtin loaded', name });
  }
  return load.call(this, request, ...rest);
};
const end = ServerResponse.prototype.end;
ServerResponse.prototype.end = function (...args) {
  say({ msg: 'answer sent', status: this.statusCode });
  return end.apply(this, args);
};
`,
);

const fake = new FakeAws();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

function run(env: Record<string, string>): {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['-r', HOOK, SERVER_BUNDLE], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      HOST: '127.0.0.1',
      PORT: '0',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: BASE_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: BASE_SECRET_KEY,
      AWS_ENDPOINT_URL: fake.url,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: path.join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
      BILLING_MCP_CLOCK: TEST_CLOCK,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, stderr: () => stderr, exited };
}

/** The server's URL, once it says it is listening. */
function listening(server: ReturnType<typeof run>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /"msg":"listening".*?"url":"([^"]+)"/.exec(server.stderr());
      if (m) {
        clearInterval(timer);
        resolve(m[1]);
      }
    }, 20);
    void server.exited.then(() => {
      clearInterval(timer);
      reject(new Error(server.stderr()));
    });
  });
}

const loaded = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.includes('"builtin loaded"'))
    .map((l) => JSON.parse(l).name as string);

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify(body),
  });
  return res.json();
}

test("answers initialize before it loads the AWS SDK, then loads the first question's clients while the client is away", async () => {
  fake.on('ce:GetCostAndUsage', () => ({ ResultsByTime: [] }));
  const server = run({});
  try {
    const url = await listening(server);
    await post(url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    const list = await post(url, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(list.result.tools.length).toBeGreaterThan(0);
    // In the order they happened: the first answer went out before any SDK client's modules (https, os) loaded.
    const events = server
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"answer sent"') || l.includes('"builtin loaded"'))
      .map((l) => JSON.parse(l) as { msg: string; name?: string });
    const firstAnswer = events.findIndex((e) => e.msg === 'answer sent');
    const firstSdk = events.findIndex((e) => e.name === 'https' || e.name === 'os');
    expect(firstAnswer).toBeGreaterThanOrEqual(0);
    expect(firstSdk === -1 || firstSdk > firstAnswer).toBe(true);

    const call = await post(url, {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'get-cost-and-usage', arguments: { period: 'last_month' } },
    });
    expect(call.result.isError).toBeFalsy();
    expect(loaded(server.stderr())).toEqual(expect.arrayContaining(['https', 'os']));
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

/** Waits until `count()` reaches `n` (the server works in the background), or fails after 5 s. */
async function until(count: () => number, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (count() < n) {
    if (Date.now() > deadline) throw new Error(`still ${count()} after 5 s, expected ${n}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const FIRST_QUESTION = {
  jsonrpc: '2.0',
  id: 3,
  method: 'tools/call',
  params: { name: 'get-cost-and-usage', arguments: { period: 'last_month' } },
};

describe('the own-account lookup starts after the first answer, before the first question', () => {
  const lookups = () => fake.callsTo('sts:GetCallerIdentity').length;

  test('made once, while the client is away: the first question does not make it again', async () => {
    fake.reset();
    fake.on('ce:GetCostAndUsage', () => ({ ResultsByTime: [] }));
    const server = run({});
    try {
      const url = await listening(server);
      expect(lookups()).toBe(0);
      await post(url, INITIALIZE);
      await until(lookups, 1);
      const call = await post(url, FIRST_QUESTION);
      expect(call.result.isError).toBeFalsy();
      expect(lookups()).toBe(1);
      expect(call.result.structuredContent.api.requests).toBe(1);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  test('a failed early lookup is not remembered: the first question asks again and gets its answer', async () => {
    fake.reset();
    fake.on('ce:GetCostAndUsage', () => ({ ResultsByTime: [] }));
    fake.script('sts:GetCallerIdentity', awsError('AccessDenied', 'not yet', 403));
    const server = run({});
    try {
      const url = await listening(server);
      await post(url, INITIALIZE);
      await until(lookups, 1);
      const call = await post(url, FIRST_QUESTION);
      expect(call.result.isError).toBeFalsy();
      expect(lookups()).toBe(2);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

describe('the code cache the image build makes (BILLING_MCP_WARM_CACHE_ONLY=1, server/src/boot.ts)', () => {
  const cache = path.join(dir, 'app.js.cache');

  /** The `codeCache` field of the "listening" line of a server started with `env`. */
  async function codeCacheOfAStart(env: Record<string, string>): Promise<string> {
    const server = run(env);
    try {
      await listening(server);
      return /"msg":"listening".*?"codeCache":"([a-z]+)"/.exec(server.stderr())![1];
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }

  test('the training run answers initialize, tools/list and a question without reaching AWS, writes the cache and exits 0 without listening', async () => {
    fake.reset();
    // AWS_ENDPOINT_URL names the fake here: the training run must replace it, whatever the build's environment holds.
    const warm = run({ BILLING_MCP_WARM_CACHE_ONLY: '1', BILLING_MCP_CODE_CACHE: cache });
    expect(await warm.exited).toBe(0);
    const stderr = warm.stderr();
    expect(stderr).not.toContain('"msg":"listening"');
    expect(fake.calls).toEqual([]);
    // The question ran up to the SDK's HTTP request (https and os are loaded by the SDK clients only).
    expect(loaded(stderr)).toEqual(expect.arrayContaining(['https', 'os']));
    expect(statSync(cache).size).toBeGreaterThan(100_000);
  });

  test('a start uses the cache made from its app.js, and compiles afresh from a cache of other source', async () => {
    expect(await codeCacheOfAStart({ BILLING_MCP_CODE_CACHE: cache })).toBe('used');
    expect(await codeCacheOfAStart({ BILLING_MCP_CODE_CACHE: path.join(dir, 'no-such-cache') })).toBe(
      'absent',
    );
    // Negative control: the same V8 data under the header of another source (one byte of the checksum changed).
    const other = Buffer.from(readFileSync(cache));
    other[0] ^= 0xff;
    const otherCache = path.join(dir, 'other.cache');
    writeFileSync(otherCache, other);
    const server = run({ BILLING_MCP_CODE_CACHE: otherCache });
    try {
      await listening(server);
      expect(server.stderr()).toContain('"codeCache":"rejected"');
      expect(server.stderr()).toContain('"msg":"code cache rejected"');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  test('a start with the cache sets the GC flags after it, and says so in its listening line', async () => {
    const server = run({ BILLING_MCP_CODE_CACHE: cache });
    try {
      await listening(server);
      const line = server
        .stderr()
        .split('\n')
        .find((l) => l.includes('"msg":"listening"'))!;
      expect(JSON.parse(line)).toMatchObject({ codeCache: 'used', gcFlags: [...GC_FLAGS] });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    // Negative control: a V8 flag set before the load (here in NODE_OPTIONS) changes V8's flag hash, and the same
    // cache is refused.
    expect(
      await codeCacheOfAStart({ BILLING_MCP_CODE_CACHE: cache, NODE_OPTIONS: '--max-semi-space-size=2' }),
    ).toBe('rejected');
  });

  test('a training run that cannot answer fails the image build with one line and no cache', async () => {
    const broken = path.join(dir, 'broken.cache');
    // An invalid setting is one way the server cannot answer: the build must stop rather than ship it.
    const warm = run({ BILLING_MCP_WARM_CACHE_ONLY: '1', BILLING_MCP_CODE_CACHE: broken, MAX_PAGES: '0' });
    expect(await warm.exited).not.toBe(0);
    expect(warm.stderr()).toContain('MAX_PAGES must be');
    expect(existsSync(broken)).toBe(false);
  });
});
