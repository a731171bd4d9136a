import * as nodeModule from 'node:module';
import { AwsGateway } from './aws/gateway';
import { preloadFirstQuestionServices } from './aws/services';
import { ConfigError, loadConfig } from './config';
import { createMcpHttpServer } from './http/server';
import { createLogger, type Logger } from './log';
import { answerMcpPost } from './mcp/transport';
import { AccountNames } from './tools/lib/accounts';
import type { ToolDeps } from './tools/lib/runner';

// The process entry: configuration, logging, the AWS gateway, the HTTP server and a graceful shutdown.

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

function main(): void {
  // The image build runs the bundle once with this set (server/Dockerfile): loading it is enough for Node 22 to
  // fill NODE_COMPILE_CACHE, so a cold microVM skips compiling it. Exit before listening.
  if (process.env.BILLING_MCP_WARM_CACHE_ONLY === '1') {
    (nodeModule as { flushCompileCache?: () => void }).flushCompileCache?.();
    return;
  }
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
      if (!preloaded) {
        preloaded = true;
        setImmediate(preloadFirstQuestionServices);
      }
    },
  });

  http.server.listen(config.port, config.host, () => {
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    log.info('listening', { host: config.host, port, url: `http://${config.host}:${port}/mcp` });
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

main();
