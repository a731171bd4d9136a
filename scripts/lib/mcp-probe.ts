import { StepFailure } from './deployment';
import { explainHttpFailure, explainNetworkFailure } from './diagnose';

/** The fields of the MCP results the smoke test reads (initialize, tools/list, tools/call). */
export interface ProbeResult {
  readonly serverInfo?: { readonly name: string; readonly version: string };
  readonly protocolVersion?: string;
  readonly tools?: readonly {
    readonly name: string;
    readonly annotations?: { readonly readOnlyHint?: boolean };
  }[];
  readonly content?: readonly { readonly type: string; readonly text?: string }[];
  readonly isError?: boolean;
}

/** One JSON-RPC answer, with what the HTTP layer said. */
export interface ProbeAnswer {
  readonly status: number;
  readonly ms: number;
  readonly result: ProbeResult | undefined;
  readonly error: { code: number; message: string } | undefined;
}

export interface ProbeOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  /** The runtime ARN, to check the endpoint's encoding of it when the answer is 404. */
  readonly runtimeArn?: string;
}

/** The JSON-RPC message with `id` in a JSON or server-sent-events body. */
function findMessage(text: string, contentType: string, id: number): Record<string, unknown> | undefined {
  const candidates: unknown[] = [];
  if (contentType.includes('text/event-stream')) {
    for (const line of text.split(/\r?\n/)) {
      if (!line.startsWith('data:')) continue;
      try {
        candidates.push(JSON.parse(line.slice(5).trim()));
      } catch {
        // Keep-alive comments and partial lines are not messages.
      }
    }
  } else {
    try {
      const parsed: unknown = JSON.parse(text);
      candidates.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    } catch {
      return undefined;
    }
  }
  return candidates.find(
    (m): m is Record<string, unknown> => !!m && typeof m === 'object' && 'id' in m && m.id === id,
  );
}

/**
 * A deliberately small MCP client over fetch: unlike the SDK client it exposes the HTTP status of every answer, which
 * is what tells a 401 from a 404 from a 424 when a deployment is checked.
 */
export class McpProbe {
  private nextId = 1;
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;

  constructor(
    private readonly endpoint: string,
    private readonly accessToken: string,
    private readonly options: ProbeOptions = {},
  ) {}

  private headers(): Record<string, string> {
    return {
      authorization: `Bearer ${this.accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      // AgentCore assigns a session on the first answer; sending it back keeps later calls on the same microVM.
      ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
      ...(this.protocolVersion ? { 'mcp-protocol-version': this.protocolVersion } : {}),
    };
  }

  private async post(
    body: unknown,
  ): Promise<{ status: number; text: string; contentType: string; challenge: string | null; ms: number }> {
    const fetchImpl = this.options.fetch ?? fetch;
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    const started = Date.now();
    let res: Response;
    let text: string;
    try {
      res = await fetchImpl(this.endpoint, {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw explainNetworkFailure(err, this.endpoint, timeoutMs);
    }
    const session = res.headers.get('mcp-session-id');
    if (session) this.sessionId = session;
    return {
      status: res.status,
      text,
      contentType: res.headers.get('content-type') ?? '',
      challenge: res.headers.get('www-authenticate'),
      ms: Date.now() - started,
    };
  }

  /** Sends a request and returns its answer; a non-2xx status or a missing answer is a StepFailure with a fix. */
  async request(method: string, params?: Record<string, unknown>): Promise<ProbeAnswer> {
    const id = this.nextId++;
    const { status, text, contentType, challenge, ms } = await this.post({
      jsonrpc: '2.0',
      id,
      method,
      ...(params ? { params } : {}),
    });
    if (status < 200 || status >= 300) throw this.failure(status, text, challenge);
    const message = findMessage(text, contentType, id);
    if (!message) {
      throw new StepFailure(
        `HTTP ${status} but no JSON-RPC answer to ${method} in the body: ${text.slice(0, 200)}`,
        'The endpoint is not this MCP server (or a proxy rewrote the answer): check the endpoint URL.',
      );
    }
    if (method === 'initialize') {
      const version = (message.result as { protocolVersion?: string } | undefined)?.protocolVersion;
      if (version) this.protocolVersion = version;
    }
    return {
      status,
      ms,
      result: message.result as ProbeResult | undefined,
      error: message.error as ProbeAnswer['error'],
    };
  }

  /** Sends a notification (no answer expected beyond 202). */
  async notify(method: string): Promise<void> {
    const { status, text, challenge } = await this.post({ jsonrpc: '2.0', method });
    if (status < 200 || status >= 300) throw this.failure(status, text, challenge);
  }

  private failure(status: number, text: string, challenge: string | null): StepFailure {
    return explainHttpFailure(status, text, {
      endpoint: this.endpoint,
      runtimeArn: this.options.runtimeArn,
      accessToken: this.accessToken,
      challenge,
    });
  }
}
