import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { AwsGateway } from './aws/gateway';
import { preloadFirstQuestionServices } from './aws/services';
import { ConfigError, loadConfig, type ServerConfig } from './config';
import { createMcpHttpServer } from './http/server';
import { createLogger, type Logger } from './log';
import { SERVER_VERSION } from './mcp/instructions';
import { answerMcpPost } from './mcp/transport';
import { AccountNames } from './tools/lib/accounts';
import type { ToolDeps } from './tools/lib/runner';

// The server process, as boot.ts starts it: configuration, logging, the AWS gateway, the HTTP server and a graceful
// shutdown; and the image build's training run.

/** AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, for the JSON services the SDK does not configure for us. */
function endpointOverrides(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('AWS_ENDPOINT_URL') && !!e[1]),
  );
}

/**
 * Node prints process warnings (e.g. the AWS SDK's NodeVersionSupportWarning on Node 20) as plain multi-line text on
 * stderr, which would break the one-JSON-object-per-line log. Route them through the logger instead, once each.
 */
function routeProcessWarnings(log: Logger): void {
  process.removeAllListeners('warning');
  const seen = new Set<string>();
  process.on('warning', (warning) => {
    const key = `${warning.name}|${warning.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    log.warn('process warning', {
      warningName: warning.name,
      warningMessage: warning.message.replace(/\s+/g, ' ').trim().slice(0, 500),
    });
  });
}

/** How the process entry (boot.ts) loaded this bundle: with the image's code cache, or compiling it afresh. */
export type CodeCacheState = 'used' | 'rejected' | 'absent';

/** What boot.ts did before it started this bundle. */
export interface Boot {
  readonly codeCache: CodeCacheState;
  /** The V8 flags boot.ts set once this bundle was loaded (server/node-options.ts). */
  readonly gcFlags: readonly string[];
}

/** What app.js offers boot.ts. */
export interface App {
  start(boot: Boot): void;
  warmUp(): Promise<void>;
}

/** The gateway, the tool dependencies and the HTTP server of one configuration, not yet listening. */
function assemble(config: ServerConfig, log: Logger) {
  const clockOffset = config.clockStart === undefined ? 0 : config.clockStart - Date.now();
  const nowMs = () => Date.now() + clockOffset;
  const gateway = new AwsGateway(config, log, {
    endpointOverrides: endpointOverrides(process.env),
    now: nowMs,
  });
  const deps: ToolDeps = {
    config,
    log,
    gateway,
    // Organizations found unreadable is remembered as long as an answer is cached.
    accountNames: new AccountNames(config.accountNames, config.cacheTtlSeconds * 1000, nowMs),
    now: () => new Date(nowMs()),
  };
  let preloaded = false;
  const http = createMcpHttpServer({
    config,
    log,
    answerMcp: async (req, res, body, caller) => {
      await answerMcpPost(deps, req, res, body, caller);
      // After the first answer, not before: a cold microVM answers `initialize` before it touches any SDK module.
      // Then, while the client reads that answer and sends its next request, the modules of the first question
      // load and the own-account lookup that every tool call starts with (sts:GetCallerIdentity, free of charge) is
      // in flight. A failed lookup is not remembered: the first tool call asks again and reports the error.
      if (!preloaded) {
        preloaded = true;
        setImmediate(() => {
          preloadFirstQuestionServices();
          gateway.ownAccountId().catch(() => undefined);
        });
      }
    },
  });
  return { gateway, http };
}

export function start(boot: Boot): void {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${JSON.stringify({ level: 'error', msg: err.message })}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  routeProcessWarnings(log);
  const { gateway, http } = assemble(config, log);
  if (boot.codeCache === 'rejected') {
    log.warn('code cache rejected', {
      hint:
        'app.js.cache was made by another Node version, under other V8 flags or from another app.js: this ' +
        'process compiles the server as it goes, so cold starts are slower. Rebuild the image, and keep V8 ' +
        "flags out of NODE_OPTIONS: V8 then refuses Node's own code cache of its modules too (server/node-options.ts).",
    });
  }

  http.server.listen(config.port, config.host, () => {
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    log.info('listening', {
      host: config.host,
      port,
      url: `http://${config.host}:${port}/mcp`,
      codeCache: boot.codeCache,
      gcFlags: boot.gcFlags,
    });
  });
  http.server.on('error', (err) => {
    log.error('cannot listen', { host: config.host, port: config.port, errorMessage: err.message });
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('draining', { signal });
    void http.drain(10_000).then(() => {
      log.info('stopped', { paidRequestsByAccount: Object.fromEntries(gateway.paidRequestsByAccount()) });
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** A loopback port nothing listens on: connections to it are refused at once. */
function refusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The image build's training run (BILLING_MCP_WARM_CACHE_ONLY=1, see boot.ts): what a cold microVM's first client
 * does (initialize, tools/list, a first question), sent over loopback HTTP to this server, so that the code cache
 * made afterwards holds the code those requests run. AWS is a loopback port that refuses connections and the
 * credentials are dummies, so no request leaves the machine whatever the build's environment holds; the question
 * ends as a tool error, past the SDK's request signing. Throws when the server does not answer as it should, which
 * fails the image build.
 */
export async function warmUp(): Promise<void> {
  const aws = `http://127.0.0.1:${await refusedPort()}`;
  // The AWS SDK reads its credentials and endpoints from process.env itself.
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAWARMUPONLY000000',
    AWS_SECRET_ACCESS_KEY: 'training-run-only',
    AWS_ENDPOINT_URL: aws,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  });
  const config = loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'error' });
  const { http } = assemble(config, createLogger(config.logLevel));
  await new Promise<void>((resolve, reject) => {
    http.server.once('error', reject);
    http.server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = http.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/mcp`;
  const post = async (message: Record<string, unknown>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', ...message }),
    });
    const text = await res.text();
    if (res.status !== (message.id === undefined ? 202 : 200))
      throw new Error(`${String(message.method)} got HTTP ${res.status}: ${text.slice(0, 200)}`);
    const answer = text ? (JSON.parse(text) as { result?: Record<string, unknown> }) : {};
    if (message.id !== undefined && !answer.result)
      throw new Error(`${String(message.method)} got no result: ${text.slice(0, 200)}`);
    return answer.result ?? {};
  };
  try {
    await post({
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'image-build-training-run', version: SERVER_VERSION },
      },
    });
    await post({ method: 'notifications/initialized' });
    const list = await post({ id: 2, method: 'tools/list' });
    if (!Array.isArray(list.tools) || list.tools.length === 0) throw new Error('tools/list listed no tools');
    await post({
      id: 3,
      method: 'tools/call',
      params: { name: 'get-cost-and-usage', arguments: { period: 'last_month' } },
    });
  } finally {
    http.server.closeAllConnections();
    await new Promise((resolve) => http.server.close(resolve));
  }
}
