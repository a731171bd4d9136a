import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createBearerAuthenticator, type BearerAuthenticator } from './auth';
import type { ServerConfig } from '../config';
import { describeError, type Logger } from '../log';
import { rebindingRefusal } from './origin';

// The HTTP layer: limits, Origin/Host checks, the optional token check, and clear answers for everything that is
// not POST /mcp. What a POST /mcp means is the MCP layer's business (mcp/transport.ts).

/** Request bodies above this are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** How long an idle keep-alive connection stays open (announced in the Keep-Alive header). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Headers must arrive within this (or the request timeout, if shorter). */
const HEADERS_TIMEOUT_MS = 10_000;

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function jsonRpcError(code: number, message: string, id: string | number | null = null) {
  return { jsonrpc: '2.0', error: { code, message }, id };
}

class BodyTooLarge extends Error {}

/** Deeper JSON is refused; real MCP messages nest well under 20 levels. */
export const MAX_JSON_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `limit` (iterative, so the check itself cannot overflow). */
export function nestingExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current))
      stack.push([child, depth + 1]);
  }
  return false;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * AgentCore's health check sends `ping` with `params: null`, which the MCP SDK's schema rejects; `params` is
 * optional in JSON-RPC, so a null one is dropped before the SDK sees the message.
 */
export function normaliseMessage(message: unknown): unknown {
  if (message && typeof message === 'object' && !Array.isArray(message) && 'params' in message) {
    const m = message as Record<string, unknown>;
    if (m.params === null) {
      const { params: _params, ...rest } = m;
      return rest;
    }
  }
  return message;
}

/** Answers a POST /mcp whose body has been read, bounded, parsed and normalised. */
export type McpPostHandler = (req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<void>;

async function handleMcpPost(
  req: IncomingMessage,
  res: ServerResponse,
  config: ServerConfig,
  answer: McpPostHandler,
  authenticate: BearerAuthenticator | undefined,
): Promise<void> {
  const refusal = rebindingRefusal(req.headers, config.allowedOrigins, config.host);
  if (refusal) {
    sendJson(res, 403, jsonRpcError(-32000, refusal));
    req.resume();
    return;
  }
  if (authenticate) {
    const verdict = await authenticate(req.headers.authorization);
    if (!verdict.ok) {
      // The body is left unread; Node discards it after the answer (see the 413 below).
      sendJson(res, verdict.status, jsonRpcError(-32001, verdict.message), {
        ...(verdict.challenge ? { 'www-authenticate': verdict.challenge } : {}),
        ...(verdict.status === 503 ? { 'retry-after': '5' } : {}),
      });
      req.resume();
      return;
    }
  }
  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      // No `connection: close`: closing a socket with upload bytes still unread makes the kernel send a reset, which
      // can destroy the 413 before the client reads it. Node discards the rest of the body instead (bounded by the
      // request timeout) and the client sees the answer.
      sendJson(res, 413, jsonRpcError(-32600, `Request body exceeds ${MAX_BODY_BYTES} bytes.`));
      req.resume();
      return;
    }
    // The client went away (or the request timeout cut a slow-drip body): nobody is left to answer.
    if (req.destroyed || res.destroyed) return;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    sendJson(res, 400, jsonRpcError(-32700, 'Parse error: the request body is not valid JSON.'));
    return;
  }
  if (nestingExceeds(parsed, MAX_JSON_DEPTH)) {
    // The SDK's schema validation recurses per level and overflows the stack on a few thousand (fuzz-found).
    sendJson(
      res,
      400,
      jsonRpcError(-32600, `Invalid request: JSON nested deeper than ${MAX_JSON_DEPTH} levels.`),
    );
    return;
  }
  const body = Array.isArray(parsed) ? parsed.map(normaliseMessage) : normaliseMessage(parsed);
  await answer(req, res, body);
}

export interface HttpServerHandle {
  readonly server: Server;
  /** Stops accepting connections and resolves when in-flight requests have finished (or `graceMs` passed). */
  drain(graceMs: number): Promise<void>;
}

/** What the HTTP server needs. */
export interface HttpServerDeps {
  readonly config: ServerConfig;
  readonly log: Logger;
  /** Answers POST /mcp (mcp/transport.ts). */
  readonly answerMcp: McpPostHandler;
}

/** The HTTP server: POST /mcp (stateless streamable HTTP), GET /ping, and clear answers for everything else. */
export function createMcpHttpServer(deps: HttpServerDeps): HttpServerHandle {
  const { log, config, answerMcp } = deps;
  const authenticate = config.auth ? createBearerAuthenticator(config.auth, log) : undefined;
  const requestTimeoutMs = config.requestTimeoutSeconds * 1000;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const server = createHttpServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs),
      // Node checks the timeouts on this interval (default 30 s), so a short request timeout needs a short one.
      connectionsCheckingInterval: Math.min(1_000, requestTimeoutMs),
    },
    (req, res) => {
      inFlight++;
      res.on('close', () => {
        inFlight--;
        if (inFlight === 0) idle?.();
      });
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/mcp') {
        if (req.method === 'POST') {
          handleMcpPost(req, res, config, answerMcp, authenticate).catch((err) => {
            log.error('request failed', describeError(err));
            sendJson(res, 500, jsonRpcError(-32603, 'Internal error.'));
          });
          return;
        }
        // 405 (not 400/404): the MCP Inspector opens a GET stream after initialize and treats 400 as a broken server.
        sendJson(
          res,
          405,
          jsonRpcError(-32000, 'Method not allowed: this stateless server only accepts POST /mcp.'),
          {
            allow: 'POST',
          },
        );
        return;
      }
      if (path === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) {
        sendJson(res, 200, { status: 'Healthy' });
        return;
      }
      sendJson(res, 404, { error: 'Not found. The MCP endpoint is POST /mcp; health is GET /ping.' });
    },
  );
  // Longer than a front proxy or client keeps an idle connection (Node's default is 5 s, undici's clients reuse one
  // for up to 4 s): otherwise the server may close an idle socket just as a request is sent on it ("other side
  // closed").
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const status =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  return {
    server,
    drain(graceMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
        if (inFlight === 0) return;
        idle = () => server.closeIdleConnections();
      });
    },
  };
}
