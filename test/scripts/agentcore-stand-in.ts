import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the AgentCore invocation URL in front of the local MCP server: it answers only at
 * `/runtimes/<URL-encoded runtime ARN>/invocations?qualifier=DEFAULT` (404 elsewhere, as AgentCore does for a
 * wrongly encoded ARN), forwards to the server's POST /mcp, and can be switched into the failure modes a deployed
 * runtime shows: 424 (container not answering), no answer at all (cold start beyond the client's timeout), or an
 * image without tools.
 */
export type StandInMode = 'forward' | 'failed-dependency' | 'hang' | 'no-tools';

export const RUNTIME_ARN =
  'arn:aws:bedrock-agentcore:us-east-1:111111111111:runtime/BillingMcp_Server-AbCd123456';

export class AgentCoreStandIn {
  mode: StandInMode = 'forward';
  private server: Server | undefined;
  url = '';

  constructor(private readonly mcpUrl: () => string) {}

  /** The invocation URL as the Runtime stack's McpEndpoint output spells it. */
  get endpoint(): string {
    return `${this.url}/runtimes/${encodeURIComponent(RUNTIME_ARN)}/invocations`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const url = new URL(req.url ?? '/', 'http://x');
          const expected = `/runtimes/${encodeURIComponent(RUNTIME_ARN)}/invocations`;
          if (req.url?.split('?')[0] !== expected || url.searchParams.get('qualifier') !== 'DEFAULT') {
            res.writeHead(404, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ message: 'Runtime not found' }));
            return;
          }
          if (this.mode === 'failed-dependency') {
            res.writeHead(424, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ message: 'Received error (424) from runtime' }));
            return;
          }
          if (this.mode === 'hang') return; // never answers; the client's timeout ends it
          const body = Buffer.concat(chunks).toString('utf8');
          if (this.mode === 'no-tools' && /"method":"tools\/list"/.test(body)) {
            const { id } = JSON.parse(body) as { id: number };
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ jsonrpc: '2.0', id, result: { tools: [] } }));
            return;
          }
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers))
            if (typeof v === 'string' && k !== 'host') headers[k] = v;
          const upstream = await fetch(this.mcpUrl(), { method: 'POST', headers, body });
          const out: Record<string, string> = { 'mcp-session-id': 'agentcore-session-1' };
          upstream.headers.forEach((v, k) => {
            if (['content-type', 'www-authenticate', 'retry-after'].includes(k)) out[k] = v;
          });
          res.writeHead(upstream.status, out);
          res.end(await upstream.text());
        })().catch((err) => {
          res.writeHead(502);
          res.end(String(err));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
