import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SERVER_NODE_OPTIONS } from '../../server/node-options';
import { BASE_ACCESS_KEY, BASE_SECRET_KEY, FakeAws } from '../fake-aws/fake-aws';

/** The bundled server, as the container runs it (built by test/global-setup.ts). */
export const SERVER_BUNDLE = path.join(__dirname, '..', '..', 'server', 'dist', 'server.js');

/** A fixed instant for tests: 2026-11-24T12:00:00Z. */
export const TEST_CLOCK = '2026-11-24T12:00:00Z';

export interface RunningServer {
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything the server wrote to stderr (its JSON log lines). */
  readonly stderr: () => string;
  /** An MCP client connected over streamable HTTP, closed by stop(). */
  client(): Promise<Client>;
  stop(): Promise<number | null>;
}

/**
 * Starts the bundled server as its own process against the fake AWS endpoint, with base credentials in the
 * environment (the default chain picks them up) and no other AWS configuration from this machine.
 */
export async function startServer(fake: FakeAws, env: Record<string, string> = {}): Promise<RunningServer> {
  const home = mkdtempSync(path.join(tmpdir(), 'billing-mcp-home-'));
  const child = spawn(process.execPath, [SERVER_BUNDLE], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      HOST: '127.0.0.1',
      PORT: '0',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: BASE_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: BASE_SECRET_KEY,
      AWS_ENDPOINT_URL: fake.url,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: path.join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
      BILLING_MCP_CLOCK: TEST_CLOCK,
      LOG_LEVEL: 'info',
      // The image's Node options (server/Dockerfile), so the tests run the server as it is shipped.
      NODE_OPTIONS: SERVER_NODE_OPTIONS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    // A server that never says it is listening must not outlive the test run (jest would hang on it).
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${stderr}`));
    }, 15_000);
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      const m = /"msg":"listening".*?"url":"([^"]+)"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stderr}`));
    });
  });
  const clients: Client[] = [];
  return {
    url,
    process: child,
    stderr: () => stderr,
    async client() {
      const client = new Client({ name: 'e2e-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The text of a tool result. */
export function textOf(result: unknown): string {
  const r = result as CallToolResult;
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Starts a fake AWS endpoint and a server against it for one test file; stops both afterwards. */
export function useServer(env: Record<string, string> = {}): {
  fake: FakeAws;
  server: () => RunningServer;
  client: () => Client;
} {
  const fake = new FakeAws();
  let server: RunningServer | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    await fake.start();
    server = await startServer(fake, env);
    client = await server.client();
  });
  afterAll(async () => {
    await server?.stop();
    await fake.stop();
  });
  return { fake, server: () => server!, client: () => client! };
}
