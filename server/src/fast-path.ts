import type { IncomingHttpHeaders } from 'node:http';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  InitializedNotificationSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  type JSONRPCMessage,
  type JSONRPCRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { stableStringify } from './aws/cache';
import { acceptsGzip, CachedResponse } from './cached-response';
import { acceptsBoth, isPlainJson, protocolHeaderOk } from './front';
import { createServer } from './server';
import type { ToolDeps } from './tools/runner';

/**
 * Requests whose answer depends only on the request itself and on the server's configuration, never on time, AWS
 * or the caller: the same request always gets the same answer for the life of the process.
 */
const STATIC_METHODS = new Set(['initialize', 'ping', 'tools/list', 'prompts/list']);

/** Distinct (method, params) answers remembered; a client sending ever-new params falls back to the SDK path. */
const MAX_ENTRIES = 64;

/**
 * An answer the HTTP front sends as is: a Buffer as its bytes, a string as UTF-8; with `contentEncoding` the body
 * is that encoding of the JSON (the front then says so in `content-encoding` and `vary`).
 */
export type FastAnswer =
  | { readonly status: 200; readonly body: string | Buffer; readonly contentEncoding?: 'gzip' }
  | { readonly status: 202 };

/**
 * The fast path of POST /mcp. Stateless MCP builds a new McpServer and transport for every request: for
 * `tools/list` that means converting every tool's schemas again, and for every request building a server and
 * converting the Node request to a Web Request and back. Here:
 * - `initialize`, `ping`, `tools/list` and `prompts/list` never change for given params, so the first time a
 *   (method, params) pair is seen it is answered by a fresh McpServer, exactly as the SDK path would, and the JSON
 *   is kept as bytes (see cached-response.ts); later requests get those bytes with their own id, gzip-encoded when
 *   the client accepts gzip;
 * - `tools/call` goes to one long-lived McpServer (the SDK's own argument validation and handler; see
 *   tools/index.ts about output schemas), through an in-process transport instead of the HTTP one.
 * Anything the fast path is not sure about (batches, other methods, headers the SDK transport would reject)
 * returns undefined and takes the SDK path. A tool call whose client disconnects still runs to its end (the tool
 * deadline bounds it); its answer is dropped.
 */
export class FastPath {
  private readonly answers = new Map<string, Promise<CachedResponse | undefined>>();
  private readonly toolServer: SharedServer;

  constructor(private readonly deps: ToolDeps) {
    this.toolServer = new SharedServer(deps);
  }

  /** The answer to `body`, or undefined when the request must go through the SDK's transport. */
  async answer(headers: IncomingHttpHeaders, body: unknown): Promise<FastAnswer | undefined> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const message = body as { method?: unknown; id?: unknown };
    if (!acceptsBoth(headers.accept) || !isPlainJson(headers['content-type'])) return undefined;
    if (message.method === 'notifications/initialized' && message.id === undefined) {
      // A notification gets 202 and no body; the server's handler for this one only records that it arrived.
      return JSONRPCNotificationSchema.safeParse(body).success &&
        InitializedNotificationSchema.safeParse(body).success &&
        protocolHeaderOk(headers)
        ? { status: 202 }
        : undefined;
    }
    if (typeof message.method !== 'string') return undefined;
    const isToolCall = message.method === 'tools/call';
    if (!isToolCall && !STATIC_METHODS.has(message.method)) return undefined;
    // The SDK transport checks the protocol-version header on everything but initialize.
    if (message.method !== 'initialize' && !protocolHeaderOk(headers)) return undefined;
    const request = asJsonRpcRequest(body);
    if (!request) return undefined;
    if (isToolCall) {
      const reply = await this.toolServer.dispatch(request);
      return { status: 200, body: JSON.stringify(reply) };
    }
    const key = `${request.method}|${stableStringify(request.params ?? null)}`;
    let cached = this.answers.get(key);
    if (!cached) {
      if (this.answers.size >= MAX_ENTRIES) return undefined;
      cached = this.compute(request.method, request.params);
      this.answers.set(key, cached);
    }
    const response = await cached;
    if (!response) return undefined;
    return { status: 200, ...response.withId(request.id, acceptsGzip(headers['accept-encoding'])) };
  }

  /** Asks a fresh McpServer, over an in-process transport, exactly what the SDK path would ask it. */
  private async compute(method: string, params: unknown): Promise<CachedResponse | undefined> {
    const server = createServer(this.deps);
    const transport = new CaptureTransport();
    await server.connect(transport);
    try {
      const reply = await transport.ask({
        jsonrpc: '2.0',
        id: 0,
        method,
        ...(params !== undefined ? { params: params as Record<string, unknown> } : {}),
      });
      return new CachedResponse(reply);
    } catch {
      return undefined;
    } finally {
      await server.close();
    }
  }
}

/**
 * One McpServer for every tools/call of the process, behind a transport that gives each request a process-unique
 * JSON-RPC id and hands the reply back to its HTTP response with the caller's id restored. The SDK's Protocol
 * already runs many concurrent requests per connection; what it keeps per connection (client capabilities from
 * initialize, log levels) plays no part in tools/call, and initialize never reaches this server.
 */
class SharedServer {
  private readonly transport = new MultiplexTransport();
  private connected: Promise<void> | undefined;
  private nextId = 1;

  constructor(private readonly deps: ToolDeps) {}

  async dispatch(request: JSONRPCRequest): Promise<JSONRPCMessage> {
    this.connected ??= createServer(this.deps).connect(this.transport);
    await this.connected;
    const id = this.nextId++;
    const reply = await this.transport.ask({ ...request, id });
    return { ...reply, id: request.id } as JSONRPCMessage;
  }
}

/** Routes each reply to the request with its id. */
class MultiplexTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly pending = new Map<string | number, (message: JSONRPCMessage) => void>();

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if ('id' in message && message.id !== undefined && ('result' in message || 'error' in message)) {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message);
    }
  }

  ask(request: JSONRPCRequest): Promise<JSONRPCMessage> {
    return new Promise((resolve) => {
      this.pending.set(request.id, resolve);
      this.onmessage?.(request);
    });
  }
}

/** The smallest Transport: hands one request to the server and resolves with the server's reply. */
class CaptureTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private pending: ((message: JSONRPCMessage) => void) | undefined;

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if ('id' in message && ('result' in message || 'error' in message)) this.pending?.(message);
  }

  ask(request: JSONRPCMessage): Promise<JSONRPCMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply')), 5_000);
      this.pending = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.onmessage?.(request);
    });
  }
}

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);

/**
 * The message as a JSON-RPC request, when the SDK's `JSONRPCRequestSchema` accepts it (which the SDK checks again
 * before answering; a message it refused would get no answer at all). The common shape is checked by hand, the
 * schema's own rules: exactly these keys, version "2.0", a string or safe-integer id, a string method, params absent
 * or an object. A params `_meta` (rare) goes through the schema itself. This spares a zod parse per request that
 * the SDK's own parse makes redundant.
 */
function asJsonRpcRequest(body: object): JSONRPCRequest | undefined {
  const m = body as Record<string, unknown>;
  for (const key in m) if (!REQUEST_KEYS.has(key)) return undefined;
  const { id, params } = m;
  const shapeOk =
    m.jsonrpc === '2.0' &&
    (typeof id === 'string' || Number.isSafeInteger(id)) &&
    typeof m.method === 'string' &&
    (params === undefined || (typeof params === 'object' && params !== null && !Array.isArray(params)));
  if (!shapeOk) return undefined;
  if (params === undefined || !('_meta' in params)) return m as JSONRPCRequest;
  const parsed = JSONRPCRequestSchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}
