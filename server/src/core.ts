import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AwsGateway } from './aws/gateway';
import type { ServerConfig } from './config';
import { FastPath } from './fast-path';
import type { Logger } from './log';
import { createServer } from './server';
import type { ToolDeps } from './tools/runner';

// The core: everything behind the front (main.ts, http.ts, front.ts) — the MCP SDK, zod, the tools, the AWS
// gateway. Bundled apart into core.js, which the front loads the first time a request needs it, or right after its
// first answer, whichever comes first.

/** What the front needs to build the core. */
export interface CoreOptions {
  readonly config: ServerConfig;
  readonly log: Logger;
  /** The server's clock (ms since the epoch): BILLING_MCP_CLOCK shifts it in tests and demos. */
  readonly nowMs: () => number;
  /** The process environment, for the AWS_ENDPOINT_URL* overrides. */
  readonly env: NodeJS.ProcessEnv;
}

/** The part of the server the front loads lazily. */
export interface Core {
  /**
   * Answers a POST /mcp whose body the front has read, parsed, bounded and normalised (and whose caller it has
   * authenticated): from the fast path, else through the SDK's streamable HTTP transport.
   */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** Paid AWS requests made so far, by account (logged when the server stops). */
  paidRequestsByAccount(): ReadonlyMap<string, number>;
}

function endpointOverrides(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('AWS_ENDPOINT_URL') && !!e[1]),
  );
}

/** Builds the core: the AWS gateway, the fast path and the SDK fallback. */
export function createCore({ config, log, nowMs, env }: CoreOptions): Core {
  const gateway = new AwsGateway(config, log, { endpointOverrides: endpointOverrides(env), now: nowMs });
  const deps: ToolDeps = { config, log, gateway, now: () => new Date(nowMs()) };
  const fastPath = new FastPath(deps);

  return {
    paidRequestsByAccount: () => gateway.paidRequestsByAccount(),

    async handle(req, res, body) {
      // initialize / ping / tools/list / prompts/list answered from JSON computed once, tools/call on one shared
      // McpServer; anything else through the SDK transport below (see fast-path.ts).
      const fast = await fastPath.answer(req.headers, body);
      if (fast) {
        if (fast.status === 202) {
          res.writeHead(202).end();
          return;
        }
        // A Buffer body is sent as is (gzip when the fast path says so), a string as UTF-8.
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(fast.body),
          ...(fast.contentEncoding
            ? { 'content-encoding': fast.contentEncoding, vary: 'accept-encoding' }
            : {}),
        });
        res.end(fast.body);
        return;
      }

      await answerThroughSdk(deps, req, res, body);
    },
  };
}

/**
 * The plain stateless SDK path: a new McpServer and streamable HTTP transport for one request. The core's answer
 * for anything the fast path leaves alone, and the reference the tests hold the fast path and the front to.
 */
export async function answerThroughSdk(
  deps: ToolDeps,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
): Promise<void> {
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
