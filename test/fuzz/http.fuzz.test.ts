import fc from 'fast-check';
import { request } from 'node:http';
import { connect } from 'node:net';
import { useServer } from '../e2e/harness';
import { MCP_HEADERS, post, stackTraces } from './rpc';

/*
 * Raw HTTP abuse of POST /mcp: wrong headers, broken and oversized bodies, batches, slow clients and random bytes.
 * Every answer is a clear 4xx (with a JSON-RPC error body where the server wrote one) or a normal answer; never a
 * 500, a stack trace or a hang, and the server keeps serving afterwards. The request timeout is 2 s here so the
 * slow-drip cases finish quickly.
 */

const { server, client } = useServer({ REQUEST_TIMEOUT_SECONDS: '2' });
const url = () => server().url;
const origin = () => new URL(server().url);

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
};
const PING = { jsonrpc: '2.0', id: 2, method: 'ping' };
const TOOLS_LIST = { jsonrpc: '2.0', id: 3, method: 'tools/list' };

/** A raw request over node:http, for bodies fetch cannot send (or must not retry). */
function rawRequest(
  body: Buffer | string,
  headers: Record<string, string | number>,
  path = '/mcp',
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: origin().hostname, port: origin().port, path, method: 'POST', headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    // The server may answer (413) and close before the whole upload is written; the answer is what counts.
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Writes a whole request over a plain socket and reads until the server closes it. Unlike an HTTP client, it keeps
 * the answer when the server replies early (413) and closes while the upload is still being written (EPIPE).
 */
function socketExchange(head: string, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(origin().port), origin().hostname);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (answer += c));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer));
    socket.write(head);
    socket.end(body);
  });
}

/** Sends headers and then a body one byte every `intervalMs`; resolves with the raw answer and when it came. */
function slowDrip(headers: string, intervalMs: number): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(origin().port), origin().hostname);
    let answer = '';
    const timer = setInterval(() => {
      if (socket.writable) socket.write('x');
    }, intervalMs);
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (answer += c));
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, ms: Date.now() - started });
    });
    socket.on('error', () => undefined);
    socket.write(headers);
    // Far beyond the 2 s timeout: if the server has not cut us off by then, the test fails on `ms`.
    setTimeout(() => socket.destroy(), 15_000).unref();
  });
}

function expectJsonRpcError(text: string, code: number): void {
  const body = JSON.parse(text);
  expect(body).toMatchObject({ jsonrpc: '2.0', error: { code } });
  expect(stackTraces(body)).toEqual([]);
}

test('refuses a wrong content type with 415', async () => {
  const answer = await post(url(), INITIALIZE, { headers: { ...MCP_HEADERS, 'content-type': 'text/plain' } });
  expect(answer.status).toBe(415);
  expectJsonRpcError(answer.text, -32000);
});

test('refuses a missing or partial Accept header with 406', async () => {
  const none = await post(url(), INITIALIZE, { headers: { 'content-type': 'application/json' } });
  expect(none.status).toBe(406);
  expectJsonRpcError(none.text, -32000);
  const jsonOnly = await post(url(), INITIALIZE, {
    headers: { 'content-type': 'application/json', accept: 'application/json' },
  });
  expect(jsonOnly.status).toBe(406);
});

test('answers truncated JSON with a -32700 parse error', async () => {
  const answer = await post(url(), JSON.stringify(INITIALIZE).slice(0, 40));
  expect(answer.status).toBe(400);
  expectJsonRpcError(answer.text, -32700);
});

test('answers JSON that is not JSON-RPC, and invalid UTF-8, with 400', async () => {
  for (const body of ['{"hello":"world"}', '42', '"text"', 'null', '[1,2,3]']) {
    const answer = await post(url(), body);
    expect({ body, status: answer.status }).toEqual({ body, status: 400 });
    expect(stackTraces(answer.json)).toEqual([]);
  }
  const bytes = await rawRequest(Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x80, 0x7d]), MCP_HEADERS);
  expect(bytes.status).toBe(400);
});

test('answers a batch of requests with one array, and refuses oversized or mixed-initialize batches', async () => {
  const batch = await post(url(), [PING, TOOLS_LIST]);
  expect(batch.status).toBe(200);
  expect(batch.json.map((r: { id: number }) => r.id).sort()).toEqual([2, 3]);
  expect(batch.json.find((r: { id: number }) => r.id === 2).result).toEqual({});

  const mixed = await post(url(), [INITIALIZE, PING]);
  expect(mixed.status).toBe(400);
  expectJsonRpcError(mixed.text, -32600);

  const tooMany = await post(
    url(),
    Array.from({ length: 101 }, (_, i) => ({ ...PING, id: i })),
  );
  expect(tooMany.status).toBe(400);
  expectJsonRpcError(tooMany.text, -32600);

  const empty = await post(url(), []);
  expect(empty.status).toBeLessThan(500);
});

test('refuses a 2 MiB body with 413, whether its length is declared or chunked', async () => {
  const body = Buffer.alloc(2 * 1024 * 1024, 0x20);
  const head = `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n`;
  const declared = await socketExchange(`${head}content-length: ${body.length}\r\n\r\n`, body);
  expect(declared).toMatch(/^HTTP\/1\.1 413 /);
  expectJsonRpcError(declared.slice(declared.indexOf('\r\n\r\n') + 4), -32600);
  // Chunked: no length up front, so the limit is enforced while reading.
  const chunks = Buffer.concat([
    ...Array.from({ length: 32 }, () =>
      Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x20), Buffer.from('\r\n')]),
    ),
    Buffer.from('0\r\n\r\n'),
  ]);
  const chunked = await socketExchange(`${head}transfer-encoding: chunked\r\n\r\n`, chunks);
  expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
});

test('cuts off a slow-drip body with 408 at the request timeout', async () => {
  const { answer, ms } = await slowDrip(
    `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
      `accept: application/json, text/event-stream\r\ncontent-length: 10000\r\n\r\n`,
    200,
  );
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  // 2 s timeout, checked every second.
  expect(ms).toBeGreaterThanOrEqual(1_900);
  expect(ms).toBeLessThan(6_000);
});

test('cuts off headers that never finish with 408', async () => {
  const { answer, ms } = await slowDrip('POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\nx-drip: ', 200);
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  expect(ms).toBeLessThan(6_000);
});

test('refuses oversized headers with 431', async () => {
  const answer = await rawRequest(JSON.stringify(PING), { ...MCP_HEADERS, 'x-big': 'a'.repeat(20_000) });
  expect(answer.status).toBe(431);
});

test('answers deeply nested JSON without crashing', async () => {
  const depth = 100_000;
  const answer = await post(url(), `${'['.repeat(depth)}${']'.repeat(depth)}`);
  expect(answer.status).toBe(400);
  const object = await post(
    url(),
    `{"jsonrpc":"2.0","id":1,"method":"ping","params":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
  );
  expect(object.status).toBeLessThan(500);
});

test('answers an unknown method with -32601 and a null-params ping with an empty result', async () => {
  const unknown = await post(url(), { jsonrpc: '2.0', id: 9, method: 'no/such/method' });
  expect(unknown.status).toBe(200);
  expect(unknown.json).toMatchObject({ id: 9, error: { code: -32601 } });
  const ping = await post(url(), { jsonrpc: '2.0', id: 10, method: 'ping', params: null });
  expect(ping.json).toEqual({ jsonrpc: '2.0', id: 10, result: {} });
});

test("accepts AgentCore's session headers and refuses an unknown protocol version", async () => {
  const withSession = await post(url(), TOOLS_LIST, {
    headers: {
      ...MCP_HEADERS,
      'mcp-session-id': 'not-ours-' + 'z'.repeat(100),
      'x-amzn-bedrock-agentcore-runtime-session-id': 'session-123',
    },
  });
  expect(withSession.status).toBe(200);
  const bogus = await post(url(), TOOLS_LIST, {
    headers: { ...MCP_HEADERS, 'mcp-protocol-version': '1999-01-01' },
  });
  expect(bogus.status).toBe(400);
});

test('answers other methods and paths with 405 and 404', async () => {
  const get = await fetch(url(), { headers: { accept: 'text/event-stream' } });
  expect(get.status).toBe(405);
  expect(get.headers.get('allow')).toBe('POST');
  const del = await fetch(url(), { method: 'DELETE' });
  expect(del.status).toBe(405);
  const other = await rawRequest(JSON.stringify(PING), MCP_HEADERS, '/mcp/../admin');
  expect(other.status).toBe(404);
});

test('answers random bodies with a 2xx or a 4xx, never a 5xx or a stack trace', async () => {
  const bodies = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc
      .record({
        jsonrpc: fc.constantFrom('2.0', '1.0', 2),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)),
        method: fc.constantFrom('ping', 'initialize', 'tools/list', 'tools/call', 'prompts/list', 'x'),
        params: fc.jsonValue({ maxDepth: 3 }),
      })
      .map((v) => JSON.stringify(v)),
  );
  await fc.assert(
    fc.asyncProperty(bodies, async (body) => {
      const answer = await post(url(), body);
      expect(answer.status).toBeLessThan(500);
      expect(stackTraces(answer.json)).toEqual([]);
    }),
    { seed: 20261124, numRuns: 300 },
  );
});

test('still serves MCP after the abuse, and never took the 500 path', async () => {
  await expect(client().ping()).resolves.toEqual({});
  expect((await client().listTools()).tools.length).toBeGreaterThan(0);
  expect(server().process.exitCode).toBeNull();
  expect(server().stderr()).not.toMatch(/"msg":"request failed"/);
});
