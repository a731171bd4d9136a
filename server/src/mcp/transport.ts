import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestParamsSchema,
  ErrorCode,
  JSONRPCMessageSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import type { ToolDeps } from '../tools/lib/runner';
import { createServer } from './server';
import { TOOL_NAMES } from './tools';

/** A JSON-RPC error answer the server gives before the SDK sees the request. */
export interface EarlyError {
  readonly status: number;
  readonly body: { jsonrpc: '2.0'; id: string | number | null; error: { code: number; message: string } };
}

function rpcError(status: number, id: string | number | null, code: number, message: string): EarlyError {
  return { status, body: { jsonrpc: '2.0', id, error: { code, message } } };
}

/**
 * What the SDK would answer unhelpfully or as a tool result, answered as the MCP specification asks instead:
 * - valid JSON that is not a JSON-RPC message is an Invalid Request (-32600); the SDK transport calls it a parse
 *   error (-32700);
 * - a tools/call whose params are malformed, or that names a tool the server does not have, is a protocol error
 *   (-32602, "Invalid params"); the SDK answers the first with an internal error holding a zod dump and the second
 *   with a tool result.
 * Whether a message is JSON-RPC at all is the SDK's own schema's call. Arguments are left to the SDK, which
 * validates them against the tool's input schema and answers a tool error the model can correct.
 */
export function checkMessages(body: unknown): EarlyError | undefined {
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length === 0)
    return rpcError(400, null, ErrorCode.InvalidRequest, 'Invalid Request: empty batch.');
  for (const message of messages) {
    const parsed = JSONRPCMessageSchema.safeParse(message);
    if (!parsed.success) {
      return rpcError(
        400,
        null,
        ErrorCode.InvalidRequest,
        'Invalid Request: the body must be a JSON-RPC 2.0 message ({"jsonrpc":"2.0","id":…,"method":…}).',
      );
    }
  }
  if (Array.isArray(body)) return undefined;
  const message = body as JSONRPCMessage;
  if (!('method' in message) || message.method !== 'tools/call' || !('id' in message)) return undefined;
  const params = CallToolRequestParamsSchema.safeParse(message.params);
  if (!params.success) {
    return rpcError(
      200,
      message.id,
      ErrorCode.InvalidParams,
      'Invalid params: tools/call needs params.name (a tool name from tools/list) and, optionally, ' +
        'params.arguments (an object).',
    );
  }
  if (!TOOL_NAMES.has(params.data.name)) {
    return rpcError(
      200,
      message.id,
      ErrorCode.InvalidParams,
      `Unknown tool: ${JSON.stringify(params.data.name.slice(0, 100))}. Call tools/list for the tools this server offers.`,
    );
  }
  return undefined;
}

/**
 * Answers one POST /mcp whose body has been read and parsed: the SDK's stateless pattern, a new McpServer and
 * streamable HTTP transport for this request alone, closed when the response closes.
 */
export async function answerMcpPost(
  deps: ToolDeps,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
): Promise<void> {
  const early = checkMessages(body);
  if (early) {
    const text = JSON.stringify(early.body);
    res.writeHead(early.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
    return;
  }
  const server = createServer(deps);
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}
