import { Sha256 } from '@aws-crypto/sha256-js';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { JsonServiceSpec } from '../services';

/** An error answered by a JSON-protocol service, shaped like the SDK's service exceptions so one classifier serves. */
export class JsonServiceError extends Error {
  constructor(
    name: string,
    message: string,
    readonly $metadata: { httpStatusCode: number; requestId?: string },
  ) {
    super(message);
    this.name = name;
  }
}

export interface JsonCallOptions {
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  /** AWS_ENDPOINT_URL_<NAME> / AWS_ENDPOINT_URL, captured from the environment at start-up. */
  readonly endpointOverrides: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly maxAttempts?: number;
}

const handler = new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 20_000 });

function endpointFor(spec: JsonServiceSpec, options: JsonCallOptions): URL {
  const override =
    options.endpointOverrides[`AWS_ENDPOINT_URL_${spec.endpointEnvName}`] ??
    options.endpointOverrides.AWS_ENDPOINT_URL;
  return new URL(override ?? spec.defaultEndpoint(options.region));
}

function isRetryable(status: number, name: string): boolean {
  return status >= 500 || status === 429 || /Throttl|TooManyRequests|LimitExceeded/.test(name);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * Calls one operation of a JSON 1.0/1.1 AWS service, signed with SigV4 by @smithy/signature-v4 — the signer the
 * SDK clients use — for the services (Free Tier, Pricing Calculator) that have no SDK client in our registry.
 * Throttling and 5xx answers are retried with exponential backoff and jitter, like the SDK's standard mode.
 */
export async function callJsonService<T>(
  spec: JsonServiceSpec,
  operation: string,
  input: unknown,
  options: JsonCallOptions,
): Promise<T> {
  const url = endpointFor(spec, options);
  const body = JSON.stringify(input ?? {});
  const signer = new SignatureV4({
    service: spec.signingName,
    region: options.region,
    credentials: options.credentials as () => Promise<AwsCredentialIdentity>,
    sha256: Sha256,
  });
  const maxAttempts = options.maxAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const request = new HttpRequest({
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      method: 'POST',
      path: url.pathname === '' ? '/' : url.pathname,
      headers: {
        host: url.host,
        'content-type': `application/x-amz-json-${spec.jsonVersion}`,
        'x-amz-target': `${spec.targetPrefix}.${operation}`,
      },
      body,
    });
    const signed = await signer.sign(request);
    let status: number;
    let text: string;
    let requestId: string | undefined;
    let errorType: string | undefined;
    try {
      const { response } = await handler.handle(signed as HttpRequest, { abortSignal: options.signal });
      status = response.statusCode;
      requestId = response.headers['x-amzn-requestid'];
      errorType = response.headers['x-amzn-errortype'];
      text = await readBody(response.body);
    } catch (err) {
      if (options.signal?.aborted || attempt >= maxAttempts) throw err;
      await sleep(backoff(attempt), options.signal);
      continue;
    }
    if (status >= 200 && status < 300) {
      try {
        return (text ? JSON.parse(text) : {}) as T;
      } catch {
        throw new JsonServiceError('DeserializationError', 'the response was not valid JSON', {
          httpStatusCode: status,
          requestId,
        });
      }
    }
    const { name, message } = parseError(text, status, errorType);
    if (attempt < maxAttempts && isRetryable(status, name)) {
      await sleep(backoff(attempt), options.signal);
      continue;
    }
    throw new JsonServiceError(name, message, { httpStatusCode: status, requestId });
  }
}

function backoff(attempt: number): number {
  return Math.random() * Math.min(5_000, 100 * 2 ** attempt);
}

async function readBody(stream: unknown): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The error name as the SDK's JSON protocols read it: the body's `__type` (or `code`), else the X-Amzn-ErrorType
 * header, without its "namespace#" prefix or ":uri" suffix.
 */
export function parseError(
  text: string,
  status: number,
  errorTypeHeader?: string,
): { name: string; message: string } {
  let parsed: { __type?: string; code?: string; message?: string; Message?: string } = {};
  try {
    const value: unknown = text ? JSON.parse(text) : {};
    if (value && typeof value === 'object') parsed = value as typeof parsed;
  } catch {
    // Not JSON (a proxy's HTML page, say): the status and header still name the failure.
  }
  const raw = parsed.__type ?? parsed.code ?? errorTypeHeader ?? '';
  const name = raw.split(':')[0].split('#').pop() || `Http${status}`;
  return { name, message: parsed.message ?? parsed.Message ?? '' };
}
