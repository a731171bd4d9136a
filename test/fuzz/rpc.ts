/** Raw JSON-RPC over HTTP for the fuzz and fault suites: they need status codes and bodies the SDK client hides. */

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body, or undefined when it is not JSON. */
  readonly json: any;
}

/** POSTs a body (serialised unless already a string) and reads the whole answer, failing after `timeoutMs`. */
export async function post(
  url: string,
  body: unknown,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: options.headers ?? MCP_HEADERS,
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Every string inside a JSON value that looks like a stack trace ("\n    at fn (file:1:2)"). */
export function stackTraces(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (/\n\s+at /.test(value)) found.push(value.slice(0, 300));
  } else if (Array.isArray(value)) {
    for (const v of value) stackTraces(v, found);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) stackTraces(v, found);
  }
  return found;
}

/** A tools/call request. */
export function toolCall(id: number, name: string, args: unknown): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}

/** Runs `worker` over `items` with at most `concurrency` in flight. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await worker(items[next++]);
    }),
  );
}
