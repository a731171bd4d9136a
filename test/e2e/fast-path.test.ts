import { createServer as createHttpServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AwsGateway } from '../../server/src/aws/gateway';
import { loadConfig } from '../../server/src/config';
import { answerThroughSdk } from '../../server/src/core';
import { FastPath } from '../../server/src/fast-path';
import { normaliseMessage } from '../../server/src/http';
import { createLogger } from '../../server/src/log';
import type { ToolDeps } from '../../server/src/tools/runner';
import { FakeAws } from '../fake-aws/fake-aws';
import { startServer, TEST_CLOCK, type RunningServer } from './harness';

// The bundled server answers initialize / ping / tools/list / prompts/list from JSON computed once, and runs
// tools/call on one shared McpServer. These tests hold it to the answers of the plain SDK path (a new McpServer +
// StreamableHTTPServerTransport per request, as the server did before), request by request, status and body.

// LOG_LEVEL info: the harness waits for the server's "listening" line.
const ENV = { ALLOWED_TARGET_ACCOUNTS: '222222222222', BILLING_MCP_CLOCK: TEST_CLOCK, LOG_LEVEL: 'info' };
const deps: ToolDeps = (() => {
  const config = loadConfig({ ...ENV, AWS_REGION: 'us-east-1' });
  const log = createLogger('error');
  return { config, log, gateway: new AwsGateway(config, log) };
})();

/** The SDK path alone, over HTTP. */
function referenceServer(): Server {
  return createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const body = Array.isArray(parsed) ? parsed.map(normaliseMessage) : normaliseMessage(parsed);
    await answerThroughSdk(deps, req, res, body);
  });
}

const fake = new FakeAws();
let bundled: RunningServer;
let reference: Server;
let referenceUrl: string;

beforeAll(async () => {
  await fake.start();
  bundled = await startServer(fake, ENV);
  reference = referenceServer();
  await new Promise<void>((r) => reference.listen(0, '127.0.0.1', r));
  referenceUrl = `http://127.0.0.1:${(reference.address() as AddressInfo).port}/mcp`;
});
afterAll(async () => {
  await bundled?.stop();
  reference?.closeAllConnections();
  await new Promise((r) => reference?.close(r));
  await fake.stop();
});

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function post(url: string, body: unknown, headers: Record<string, string> = HEADERS) {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: text ? JSON.parse(text) : undefined,
  };
}

const initialize = (id: number | string, protocolVersion: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'quick', version: '1.0' } },
});

// Every case names its headers: jest would take a missing third table value for a `done` callback.
const CASES: [string, unknown, Record<string, string>][] = [
  ['initialize', initialize(1, '2025-06-18'), HEADERS],
  ['initialize with a string id', initialize('init-7', '2025-03-26'), HEADERS],
  [
    'initialize with an unknown protocol version (the server offers its latest)',
    initialize(2, '1999-01-01'),
    HEADERS,
  ],
  ['initialize without params (a JSON-RPC error)', { jsonrpc: '2.0', id: 3, method: 'initialize' }, HEADERS],
  ['tools/list', { jsonrpc: '2.0', id: 4, method: 'tools/list' }, HEADERS],
  [
    'tools/list with a cursor',
    { jsonrpc: '2.0', id: 5, method: 'tools/list', params: { cursor: 'x' } },
    HEADERS,
  ],
  ['prompts/list', { jsonrpc: '2.0', id: 6, method: 'prompts/list', params: {} }, HEADERS],
  ['ping with null params (AgentCore)', { jsonrpc: '2.0', id: 7, method: 'ping', params: null }, HEADERS],
  ['ping', { jsonrpc: '2.0', id: 'p', method: 'ping' }, HEADERS],
  ['notifications/initialized', { jsonrpc: '2.0', method: 'notifications/initialized' }, HEADERS],
  [
    'tools/list with an unsupported protocol version header',
    { jsonrpc: '2.0', id: 8, method: 'tools/list' },
    { ...HEADERS, 'mcp-protocol-version': '1999-01-01' },
  ],
  [
    'tools/list without text/event-stream in Accept',
    { jsonrpc: '2.0', id: 9, method: 'tools/list' },
    { 'content-type': 'application/json', accept: 'application/json' },
  ],
  ['a batch', [{ jsonrpc: '2.0', id: 10, method: 'ping' }], HEADERS],
  // tools/call runs on one shared McpServer (see fast-path.ts); its answers must not differ from a fresh one's.
  [
    'tools/call of an unknown tool',
    { jsonrpc: '2.0', id: 11, method: 'tools/call', params: { name: 'no-such-tool', arguments: {} } },
    HEADERS,
  ],
  [
    'tools/call with arguments the schema rejects',
    {
      jsonrpc: '2.0',
      id: 'c12',
      method: 'tools/call',
      params: { name: 'get-cost-and-usage', arguments: { period: 'yesterday', granularity: 'WEEKLY' } },
    },
    HEADERS,
  ],
  [
    'tools/call that the tool refuses (start_date without end_date)',
    {
      jsonrpc: '2.0',
      id: 13,
      method: 'tools/call',
      params: { name: 'get-cost-and-usage', arguments: { start_date: '2026-10-01' } },
    },
    HEADERS,
  ],
  ['tools/call without params', { jsonrpc: '2.0', id: 14, method: 'tools/call' }, HEADERS],
  // The fast path checks the JSON-RPC envelope by hand (see asJsonRpcRequest); anything the SDK would refuse must
  // get the SDK's own answer.
  ['tools/list with a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'tools/list' }, HEADERS],
  ['tools/list with an unknown member', { jsonrpc: '2.0', id: 15, method: 'tools/list', extra: 1 }, HEADERS],
  [
    'tools/list with params as an array',
    { jsonrpc: '2.0', id: 16, method: 'tools/list', params: [] },
    HEADERS,
  ],
  ['ping with jsonrpc 1.0', { jsonrpc: '1.0', id: 17, method: 'ping' }, HEADERS],
  [
    'tools/call with a progress token in params._meta',
    {
      jsonrpc: '2.0',
      id: 18,
      method: 'tools/call',
      params: {
        name: 'get-cost-and-usage',
        arguments: { start_date: '2026-10-01' },
        _meta: { progressToken: 'p1' },
      },
    },
    HEADERS,
  ],
  [
    'tools/call with an invalid params._meta',
    {
      jsonrpc: '2.0',
      id: 19,
      method: 'tools/call',
      params: { name: 'get-cost-and-usage', arguments: {}, _meta: { progressToken: 1.5 } },
    },
    HEADERS,
  ],
];

test.each(CASES)(
  'answers %s exactly as the SDK path does, the first time and again',
  async (_name, body, headers) => {
    const expected = await post(referenceUrl, body, headers);
    for (let i = 0; i < 2; i++) {
      expect(await post(bundled.url, body, headers)).toEqual(expected);
    }
  },
);

test('serves tools/list from the fast path with the SDK server’s own tool list', async () => {
  const fast = new FastPath(deps);
  const answer = await fast.answer(HEADERS, { jsonrpc: '2.0', id: 41, method: 'tools/list' });
  expect(answer?.status).toBe(200);
  const sdk = await post(referenceUrl, { jsonrpc: '2.0', id: 41, method: 'tools/list' });
  expect(JSON.parse(String((answer as { body: Buffer }).body))).toEqual(sdk.body);
  expect(sdk.body.result.tools.length).toBeGreaterThan(2);
});

/** A raw POST with exactly the given headers (fetch would add accept-encoding and decompress on its own). */
function rawPost(url: string, body: unknown, headers: Record<string, string>) {
  return new Promise<{ status?: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('gzip', () => {
  const list = { jsonrpc: '2.0', id: 'list-1', method: 'tools/list' };

  test('a client that accepts gzip gets tools/list gzip-encoded, inflating to the identity answer byte for byte', async () => {
    const identity = await rawPost(bundled.url, list, HEADERS);
    const gzip = await rawPost(bundled.url, list, { ...HEADERS, 'accept-encoding': 'gzip, deflate' });
    expect(gzip.status).toBe(200);
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.headers.vary).toBe('accept-encoding');
    expect(Number(gzip.headers['content-length'])).toBe(gzip.body.length);
    expect(gzip.body.length).toBeLessThan(identity.body.length / 4);
    expect(gunzipSync(gzip.body).equals(identity.body)).toBe(true);
  });

  test('a request without Accept-Encoding (or refusing gzip) gets identity: ASCII JSON equal to the SDK’s answer', async () => {
    const sdk = await post(referenceUrl, list);
    for (const headers of [HEADERS, { ...HEADERS, 'accept-encoding': 'gzip;q=0, identity' }]) {
      const plain = await rawPost(bundled.url, list, headers);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
      expect(plain.body.every((byte) => byte < 0x80)).toBe(true);
      expect(JSON.parse(plain.body.toString('utf8'))).toEqual(sdk.body);
    }
  });

  test('the MCP SDK client (fetch) asks for gzip, receives it and lists the tools the SDK path lists', async () => {
    const encodings: Record<string, string | null> = {};
    const client = new Client({ name: 'gzip-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(bundled.url), {
        fetch: async (url, init) => {
          const res = await fetch(url, init);
          const method = typeof init?.body === 'string' ? JSON.parse(init.body).method : init?.method;
          encodings[method] = res.headers.get('content-encoding');
          return res;
        },
      }),
    );
    try {
      const { tools } = await client.listTools();
      const sdk = await post(referenceUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
      expect(tools).toEqual(sdk.body.result.tools);
      // initialize is too small to gain from gzip; the GET event stream is refused (405).
      expect(encodings).toEqual({
        initialize: null,
        'notifications/initialized': null,
        GET: null,
        'tools/list': 'gzip',
      });
    } finally {
      await client.close();
    }
  });
});

test('leaves batches, other methods and unusual content types to the SDK transport', async () => {
  const fast = new FastPath(deps);
  expect(await fast.answer(HEADERS, { jsonrpc: '2.0', id: 1, method: 'resources/list' })).toBeUndefined();
  expect(await fast.answer(HEADERS, [{ jsonrpc: '2.0', id: 1, method: 'ping' }])).toBeUndefined();
  const odd = { ...HEADERS, 'content-type': 'application/json; charset=latin1' };
  expect(await fast.answer(odd, { jsonrpc: '2.0', id: 1, method: 'ping' })).toBeUndefined();
});

test('hands each concurrent tools/call its own answer, even when clients reuse the same id', async () => {
  const answers = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      post(bundled.url, {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'get-cost-and-usage', arguments: { start_date: `bad-${i}`, end_date: '2026-11-01' } },
      }),
    ),
  );
  answers.forEach((a, i) => {
    expect(a.body.id).toBe(1);
    expect(a.body.result.content[0].text).toBe(
      `start_date must be a real calendar date as YYYY-MM-DD, got "bad-${i}".`,
    );
  });
});
