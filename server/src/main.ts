import * as nodeModule from 'node:module';
import { ConfigError, loadConfig } from './config';
import type { Core, CoreOptions } from './core';
import { createMcpHttpServer } from './http';
import { createLogger, type Logger } from './log';

// The entry point of the front bundle (server.js; see server/bundle.ts): configuration, logging and the HTTP front,
// which answers `initialize` itself. The rest of the server is core.js beside it, loaded on demand.

/**
 * Loads core.js from beside this file. A runtime require that esbuild leaves alone: the core stays out of the
 * front bundle and is evaluated only when called.
 */
function requireCore(): typeof import('./core') {
  return nodeModule.createRequire(__filename)('./core.js') as typeof import('./core');
}

/** Loads and builds the core, logging how long that took (the cost a cold start defers). */
function loadCore(options: CoreOptions): Core {
  const started = process.hrtime.bigint();
  const core = requireCore().createCore(options);
  options.log.debug('core loaded', { loadMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6) });
  return core;
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
  // The image build runs the bundle once with this set (server/Dockerfile): loading both files is enough for Node 22
  // to fill NODE_COMPILE_CACHE, so a cold microVM skips compiling them. Exit before listening.
  if (process.env.BILLING_MCP_WARM_CACHE_ONLY === '1') {
    requireCore();
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
  let core: Core | undefined;
  const http = createMcpHttpServer({
    config,
    log,
    core: () => (core ??= loadCore({ config, log, nowMs, env: process.env })),
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
      // A core never loaded made no AWS request.
      const paid = core ? Object.fromEntries(core.paidRequestsByAccount()) : {};
      log.info('stopped', { paidRequestsByAccount: paid });
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main();
