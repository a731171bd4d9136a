import type { IncomingHttpHeaders } from 'node:http';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  InitializedNotificationSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { stableStringify } from './aws/cache';
import { createServer } from './server';
import type { ToolDeps } from './tools/runner';

/**
 * Requests whose answer depends only on the request itself and on the server's configuration, never on time, AWS
 * or the caller: the same request always gets the same answer for the life of the process.
 */
const STATIC_METHODS = new Set(['initialize', 'ping', 'tools/list', 'prompts/list']);

/** Distinct (method, params) answers remembered; a client sending ever-new params falls back to the SDK path. */
const MAX_ENTRIES = 64;

/** An answer the HTTP front sends as is. */
export type FastAnswer = { readonly status: 200; readonly body: string } | { readonly status: 202 };

/**
 * The fast path of POST /mcp. Stateless MCP builds a new McpServer and transport for every request, which for
 * `tools/list` means converting every tool's schemas again (about 1 ms of CPU each time). The answers to
 * `initialize`, `ping`, `tools/list` and `prompts/list` never change for given params, so the first time a
 * (method, params) pair is seen it is answered by a fresh McpServer, exactly as the SDK path would, and the JSON
 * is kept; later requests get that JSON with their own id. Anything the fast path is not sure about (batches,
 * other methods, headers the SDK transport would reject) returns undefined and takes the SDK path, so behaviour
 * is the SDK's by construction.
 */
export class FastPath {
  private readonly answers = new Map<string, Promise<CachedResponse | undefined>>();

  constructor(private readonly deps: ToolDeps) {}

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
    if (typeof message.method !== 'string' || !STATIC_METHODS.has(message.method)) return undefined;
    // The SDK transport checks the protocol-version header on everything but initialize.
    if (message.method !== 'initialize' && !protocolHeaderOk(headers)) return undefined;
    const parsed = JSONRPCRequestSchema.safeParse(body);
    if (!parsed.success) return undefined;
    const request = parsed.data;
    const key = `${request.method}|${stableStringify(request.params ?? null)}`;
    let cached = this.answers.get(key);
    if (!cached) {
      if (this.answers.size >= MAX_ENTRIES) return undefined;
      cached = this.compute(request.method, request.params);
      this.answers.set(key, cached);
    }
    const response = await cached;
    return response ? { status: 200, body: response.withId(request.id) } : undefined;
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

/** A response message kept as JSON text around the spot where the id goes. */
class CachedResponse {
  private readonly head: string;
  private readonly tail: string;

  constructor(message: JSONRPCMessage) {
    // The SDK serialises the response object as is; its id is the last key. Splitting the text there makes each
    // later answer a string concatenation.
    const marker = '"__billing_mcp_id__"';
    const text = JSON.stringify({ ...message, id: '__billing_mcp_id__' });
    const at = text.lastIndexOf(marker);
    this.head = text.slice(0, at);
    this.tail = text.slice(at + marker.length);
  }

  withId(id: string | number): string {
    return `${this.head}${JSON.stringify(id)}${this.tail}`;
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

function acceptsBoth(accept: string | undefined): boolean {
  return !!accept && accept.includes('application/json') && accept.includes('text/event-stream');
}

// Only the plain forms: anything unusual goes to the SDK, which parses media types in full.
function isPlainJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const value = contentType.toLowerCase();
  return value === 'application/json' || value === 'application/json; charset=utf-8';
}

function protocolHeaderOk(headers: IncomingHttpHeaders): boolean {
  const version = headers['mcp-protocol-version'];
  return (
    version === undefined || (typeof version === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(version))
  );
}
