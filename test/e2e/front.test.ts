import { createServer as createHttpServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { AwsGateway } from '../../server/src/aws/gateway';
import { loadConfig } from '../../server/src/config';
import { answerThroughSdk } from '../../server/src/core';
import { FrontAnswers } from '../../server/src/front';
import { normaliseMessage } from '../../server/src/http';
import { createLogger } from '../../server/src/log';
import { SUPPORTED_PROTOCOL_VERSIONS } from '../../server/src/server-info';
import { FakeAws } from '../fake-aws/fake-aws';
import { startServer, TEST_CLOCK, type RunningServer } from './harness';

// The front (server.js) answers initialize, ping and notifications/initialized before the core (the MCP SDK) is
// loaded. These tests hold every answer it gives to the bytes the SDK path gives (a new McpServer and
// StreamableHTTPServerTransport per request), and check that what it is not sure about goes to the core.

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** Environments that change the initialize answer (the instructions name the accounts and the cache TTL). */
const CONFIGS: Record<string, Record<string, string>> = {
  'own account only': {},
  'any account, cache off': { ALLOWED_TARGET_ACCOUNTS: '*', CACHE_TTL_SECONDS: '0' },
  'two accounts, 60 s cache': {
    ALLOWED_TARGET_ACCOUNTS: '222222222222,333333333333',
    CACHE_TTL_SECONDS: '60',
  },
};

interface Raw {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
}

/** A POST with exactly these headers (no Accept-Encoding, unlike fetch): the answer's status, type and bytes. */
function post(url: string, body: unknown, headers: Record<string, string> = HEADERS): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          contentType: res.headers['content-type'],
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The SDK path alone, over HTTP, for one environment. */
async function referenceServer(env: Record<string, string>): Promise<{ server: Server; url: string }> {
  const config = loadConfig({ ...env, AWS_REGION: 'us-east-1' });
  const log = createLogger('error');
  const deps = { config, log, gateway: new AwsGateway(config, log) };
  const server = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const body = Array.isArray(parsed) ? parsed.map(normaliseMessage) : normaliseMessage(parsed);
    await answerThroughSdk(deps, req, res, body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp` };
}

const initialize = (id: number | string, protocolVersion: string, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'quick', version: '1.0' }, ...extra },
});

/** What the front answers, as the HTTP front would send it (undefined: the core answers). */
function frontAnswer(front: FrontAnswers, body: unknown, headers: Record<string, string> = HEADERS) {
  const answer = front.answer(headers, normaliseMessage(body));
  if (!answer) return undefined;
  return answer.status === 202
    ? { status: 202, contentType: undefined, text: '' }
    : { status: 200, contentType: 'application/json', text: answer.body };
}

const references: Record<string, { server: Server; url: string }> = {};
beforeAll(async () => {
  for (const [name, env] of Object.entries(CONFIGS)) references[name] = await referenceServer(env);
});
afterAll(async () => {
  for (const { server } of Object.values(references)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

describe.each(Object.keys(CONFIGS))('with %s', (configName) => {
  const front = new FrontAnswers(loadConfig({ ...CONFIGS[configName], AWS_REGION: 'us-east-1' }));
  const url = () => references[configName].url;

  test.each([...SUPPORTED_PROTOCOL_VERSIONS, '1999-01-01', ''])(
    'answers initialize for protocol version %j with the SDK’s bytes',
    async (version) => {
      for (const id of [1, 'init-7', 0, -3, 9007199254740991, 'x"\\\u00e9\u2028']) {
        const body = initialize(id, version);
        expect(frontAnswer(front, body)).toEqual(await post(url(), body));
      }
    },
  );

  test('answers initialize itself, with the SDK’s bytes, for the capabilities real clients send', async () => {
    const clients = [
      // The MCP Inspector.
      {
        capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } },
        clientInfo: { name: 'inspector-client', version: '0.17.0' },
      },
      // The TypeScript SDK client with every optional client capability.
      {
        capabilities: {
          experimental: { 'x-feature': {} },
          sampling: { context: {}, tools: {} },
          elicitation: { form: { applyDefaults: true }, url: {} },
          roots: {},
          tasks: {
            list: {},
            cancel: {},
            requests: { sampling: { createMessage: {} }, elicitation: { create: {} } },
          },
          extensions: { 'vendor/thing': {} },
        },
        clientInfo: {
          name: 'c',
          version: '1',
          title: 'C',
          websiteUrl: 'https://example.com',
          description: 'd',
        },
      },
    ];
    for (const params of clients) {
      const body = initialize(1, '2025-06-18', params);
      const answer = frontAnswer(front, body);
      expect(answer).toBeDefined();
      expect(answer).toEqual(await post(url(), body));
    }
  });

  test('answers ping and notifications/initialized with the SDK’s bytes', async () => {
    const withVersion = { ...HEADERS, 'mcp-protocol-version': '2025-06-18' };
    const cases: [unknown, Record<string, string>][] = [
      [{ jsonrpc: '2.0', id: 7, method: 'ping', params: null }, HEADERS],
      [{ jsonrpc: '2.0', id: 'p', method: 'ping' }, withVersion],
      [{ jsonrpc: '2.0', id: 8, method: 'ping', params: {} }, HEADERS],
      [{ jsonrpc: '2.0', method: 'notifications/initialized' }, withVersion],
      [{ jsonrpc: '2.0', method: 'notifications/initialized', params: {} }, HEADERS],
    ];
    for (const [body, headers] of cases) {
      const answer = frontAnswer(front, body, headers);
      expect(answer).toBeDefined();
      expect(answer).toEqual(await post(url(), body, headers));
    }
  });
});

describe('leaves to the core what it is not sure the SDK answers the same way', () => {
  const front = new FrontAnswers(loadConfig({}));
  const valid = initialize(1, '2025-06-18');
  const withParams = (params: Record<string, unknown>) => ({
    ...valid,
    params: { ...valid.params, ...params },
  });
  test.each<[string, unknown, Record<string, string>?]>([
    ['initialize without params', { jsonrpc: '2.0', id: 3, method: 'initialize' }],
    [
      'initialize without clientInfo',
      { ...valid, params: { protocolVersion: '2025-06-18', capabilities: {} } },
    ],
    ['initialize with a numeric clientInfo.version', withParams({ clientInfo: { name: 'q', version: 1 } })],
    ['initialize with clientInfo icons', withParams({ clientInfo: { name: 'q', version: '1', icons: [] } })],
    ['initialize with null capabilities', withParams({ capabilities: null })],
    ['initialize with array capabilities', withParams({ capabilities: [] })],
    [
      'initialize with roots.listChanged "yes"',
      withParams({ capabilities: { roots: { listChanged: 'yes' } } }),
    ],
    ['initialize with a string sampling capability', withParams({ capabilities: { sampling: 'on' } })],
    ['initialize with _meta', withParams({ _meta: { progressToken: 1 } })],
    ['initialize with a numeric protocolVersion', withParams({ protocolVersion: 20250618 })],
    ['initialize with an extra envelope member', { ...valid, extra: true }],
    ['initialize with a fractional id', { ...valid, id: 1.5 }],
    ['initialize with a null id', { ...valid, id: null }],
    ['initialize with jsonrpc 1.0', { ...valid, jsonrpc: '1.0' }],
    ['a batch', [valid]],
    ['initialize without text/event-stream in Accept', valid, { ...HEADERS, accept: 'application/json' }],
    ['initialize sent as text/plain', valid, { ...HEADERS, 'content-type': 'text/plain' }],
    [
      'ping with an unsupported protocol version header',
      { jsonrpc: '2.0', id: 4, method: 'ping' },
      { ...HEADERS, 'mcp-protocol-version': '1999-01-01' },
    ],
    ['ping with _meta', { jsonrpc: '2.0', id: 5, method: 'ping', params: { _meta: {} } }],
    ['notifications/initialized with an id', { jsonrpc: '2.0', id: 6, method: 'notifications/initialized' }],
    ['tools/list', { jsonrpc: '2.0', id: 9, method: 'tools/list' }],
  ])('%s', (_name, body, headers = HEADERS) => {
    expect(frontAnswer(front, body, headers)).toBeUndefined();
  });
});

// Client capabilities and client info shaped at random, mostly as the SDK's schemas allow and sometimes not, at
// every level: whenever the front answers, its answer is the SDK's, byte for byte.
const anyJson = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string({ maxLength: 3 }),
  fc.constant([]),
  fc.constant({}),
  fc.constant({ a: 1 }),
);
/** The valid shape usually, any JSON value sometimes. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: anyJson, weight: 1 });
const object = fc.constantFrom({}, { a: 1 }, []);
const some = <T>(members: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(members, { requiredKeys: [] });
const capabilities = mostly(
  some({
    experimental: mostly(fc.dictionary(fc.string({ maxLength: 3 }), mostly(object), { maxKeys: 2 })),
    sampling: mostly(some({ context: mostly(object), tools: mostly(object) })),
    elicitation: mostly(
      some({ form: mostly(some({ applyDefaults: mostly(fc.boolean()) })), url: mostly(object) }),
    ),
    roots: mostly(some({ listChanged: mostly(fc.boolean()) })),
    tasks: mostly(
      some({
        list: mostly(object),
        cancel: mostly(object),
        requests: mostly(
          some({
            sampling: mostly(some({ createMessage: mostly(object) })),
            elicitation: mostly(some({ create: mostly(object) })),
          }),
        ),
      }),
    ),
    extensions: mostly(fc.dictionary(fc.constantFrom('vendor/a', 'vendor/b'), mostly(object))),
    custom: anyJson,
  }),
);
const clientInfo = mostly(
  fc.record(
    {
      name: mostly(fc.string({ maxLength: 3 })),
      version: mostly(fc.string({ maxLength: 3 })),
      title: mostly(fc.string({ maxLength: 3 })),
      websiteUrl: mostly(fc.string({ maxLength: 3 })),
      description: mostly(fc.string({ maxLength: 3 })),
    },
    { requiredKeys: ['name', 'version'] },
  ),
);

test('whatever client capabilities and info it answers for, it answers exactly as the SDK does', async () => {
  const front = new FrontAnswers(loadConfig({}));
  const url = references['own account only'].url;
  let answered = 0;
  await fc.assert(
    fc.asyncProperty(
      capabilities,
      clientInfo,
      fc.constantFrom(...SUPPORTED_PROTOCOL_VERSIONS, 'next'),
      async (caps, info, version) => {
        const body = {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: version, capabilities: caps, clientInfo: info },
        };
        const answer = frontAnswer(front, body);
        if (answer === undefined) return;
        answered++;
        expect(answer).toEqual(await post(url, body));
      },
    ),
    { numRuns: 300 },
  );
  // The generators are meant to produce both: a property that never saw the front answer would prove nothing.
  expect(answered).toBeGreaterThan(30);
  expect(answered).toBeLessThan(300);
});

describe('the bundled server', () => {
  const fake = new FakeAws();
  const env = { ...CONFIGS['two accounts, 60 s cache'], BILLING_MCP_CLOCK: TEST_CLOCK, LOG_LEVEL: 'info' };
  let bundled: RunningServer;
  beforeAll(async () => {
    await fake.start();
    bundled = await startServer(fake, env);
  });
  afterAll(async () => {
    await bundled?.stop();
    await fake.stop();
  });

  test('answers initialize for every protocol version, and an unknown one, with the SDK’s bytes', async () => {
    const reference = references['two accounts, 60 s cache'].url;
    for (const version of [...SUPPORTED_PROTOCOL_VERSIONS, '1999-01-01']) {
      const body = initialize(`v-${version}`, version);
      expect(await post(bundled.url, body)).toEqual(await post(reference, body));
    }
  });

  test('sends what the front leaves alone to the core, which answers as the SDK does', async () => {
    const reference = references['two accounts, 60 s cache'].url;
    const cases: [unknown, Record<string, string>][] = [
      [{ jsonrpc: '2.0', id: 3, method: 'initialize' }, HEADERS],
      [initialize(4, '2025-06-18', { capabilities: { roots: { listChanged: 'yes' } } }), HEADERS],
      [initialize(5, '2025-06-18', { _meta: { progressToken: 'p' } }), HEADERS],
      [[initialize(6, '2025-06-18')], HEADERS],
      [initialize(7, '2025-06-18'), { ...HEADERS, accept: 'application/json' }],
    ];
    for (const [body, headers] of cases) {
      const [ours, sdk] = [await post(bundled.url, body, headers), await post(reference, body, headers)];
      expect({ ...ours, json: JSON.parse(ours.text) }).toEqual({ ...sdk, json: JSON.parse(sdk.text) });
    }
  });
});
