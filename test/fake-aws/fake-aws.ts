import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the AWS endpoints the server calls, speaking each service's wire protocol: the query
 * protocol with XML answers (STS), JSON 1.0/1.1 (X-Amz-Target: Cost Explorer, Budgets, Pricing, Compute
 * Optimizer, Cost Optimization Hub, Free Tier, Pricing Calculator) and REST-JSON (Billing Conductor, routed by
 * path). The server under test reaches it through AWS_ENDPOINT_URL. It records every call with the access key
 * that signed it, so tests can see which credentials each request used.
 */

/** The access key of the server's own (base) credentials in tests. */
export const BASE_ACCESS_KEY = 'AKIDBASE0000000000';
export const BASE_SECRET_KEY = 'base-secret-not-real';
/** The account the base credentials belong to. */
export const OWN_ACCOUNT = '111111111111';

/** The access key the fake issues when a role in `account` is assumed. */
export function assumedAccessKey(account: string): string {
  return `ASIA${account}`;
}

export interface RecordedCall {
  /** Signing service from the Authorization header scope, e.g. `ce`, `sts`, `billingconductor`. */
  readonly service: string;
  /** The API operation, e.g. `GetCostAndUsage`. */
  readonly operation: string;
  /** `service:Operation`, as in the server's catalogue. */
  readonly key: string;
  readonly body: Record<string, unknown>;
  readonly accessKeyId: string;
  readonly region: string;
  readonly headers: IncomingMessage['headers'];
}

/** A response a handler may return instead of a plain body. */
export interface FakeReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Destroy the socket instead of answering (a connection reset). */
  readonly reset?: boolean;
  /** Send this raw text as the body. */
  readonly raw?: string;
  /** Wait this long before answering (a slow API for this one reply, on top of `latencyMs`). */
  readonly delayMs?: number;
}

export type Handler = (body: Record<string, unknown>, call: RecordedCall) => unknown | Promise<unknown>;

const REPLY = Symbol('reply');
type TaggedReply = FakeReply & { [REPLY]: true };

export function reply(r: FakeReply): TaggedReply {
  return { ...r, [REPLY]: true };
}

/** An AWS error answer: JSON protocols get `__type`, the query protocol an XML ErrorResponse. */
export function awsError(type: string, message: string, status = 400): TaggedReply {
  return reply({ status, body: { __type: type, message }, headers: { 'x-amzn-errortype': type } });
}

/** REST-JSON operations, by HTTP path (Billing Conductor). */
const REST_ROUTES: Record<string, { service: string; operation: string }> = {
  '/list-billing-groups': { service: 'billingconductor', operation: 'ListBillingGroups' },
  '/list-account-associations': { service: 'billingconductor', operation: 'ListAccountAssociations' },
  '/get-billing-group-cost-report': { service: 'billingconductor', operation: 'GetBillingGroupCostReport' },
  '/list-billing-group-cost-reports': {
    service: 'billingconductor',
    operation: 'ListBillingGroupCostReports',
  },
  '/list-pricing-rules': { service: 'billingconductor', operation: 'ListPricingRules' },
  '/list-pricing-plans': { service: 'billingconductor', operation: 'ListPricingPlans' },
  '/list-pricing-rules-associated-to-pricing-plan': {
    service: 'billingconductor',
    operation: 'ListPricingRulesAssociatedToPricingPlan',
  },
  '/list-custom-line-items': { service: 'billingconductor', operation: 'ListCustomLineItems' },
};

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class FakeAws {
  readonly calls: RecordedCall[] = [];
  private readonly handlers = new Map<string, Handler>();
  private readonly scripted = new Map<string, unknown[]>();
  private server: Server | undefined;
  /** Added before every answer, to model a slow API. */
  latencyMs = 0;
  /** Accounts whose role cannot be assumed (AccessDenied). */
  readonly deniedRoles = new Set<string>();
  /** Lifetime of issued assumed-role credentials. */
  assumedCredentialSeconds = 3600;
  /**
   * Answers every operation that has no handler (instead of a FakeNotConfigured error), e.g. `() => ({})` for an
   * empty-but-valid answer everywhere.
   */
  fallback: Handler | undefined;
  url = '';

  constructor() {
    this.installDefaults();
  }

  /** Sets the handler of one operation (`ce:GetCostAndUsage`); it replaces any earlier one. */
  on(key: string, handler: Handler): this {
    this.handlers.set(key, handler);
    return this;
  }

  /**
   * Queues replies for the next calls of one operation, answered in order before its handler is consulted: each is
   * a body, a `reply(...)`/`awsError(...)`, or a handler function. Scripts a burst of faults followed by success.
   */
  script(key: string, ...replies: unknown[]): this {
    this.scripted.set(key, [...(this.scripted.get(key) ?? []), ...replies]);
    return this;
  }

  /** Scripted replies not yet consumed, per operation. */
  pendingScripted(key: string): number {
    return this.scripted.get(key)?.length ?? 0;
  }

  /** Forgets recorded calls, handlers, scripted replies and faults (defaults for STS stay). */
  reset(): void {
    this.calls.length = 0;
    this.handlers.clear();
    this.scripted.clear();
    this.fallback = undefined;
    this.deniedRoles.clear();
    this.latencyMs = 0;
    this.assumedCredentialSeconds = 3600;
    this.installDefaults();
  }

  /** Calls of one operation (`ce:GetCostAndUsage`). */
  callsTo(key: string): RecordedCall[] {
    return this.calls.filter((c) => c.key === key);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ __type: 'FakeAwsFailure', message: String(err) }));
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private installDefaults(): void {
    this.on('sts:GetCallerIdentity', (_body, call) => {
      const account = call.accessKeyId.startsWith('ASIA') ? call.accessKeyId.slice(4, 16) : OWN_ACCOUNT;
      return { Account: account, Arn: `arn:aws:sts::${account}:assumed-role/test/test`, UserId: 'AIDTEST' };
    });
    this.on('sts:AssumeRole', (body) => {
      const roleArn = String(body.RoleArn ?? '');
      const account = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1];
      if (!account || this.deniedRoles.has(account)) {
        return awsError(
          'AccessDenied',
          `User: arn:aws:sts::${OWN_ACCOUNT}:assumed-role/exec/x is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          403,
        );
      }
      return {
        Credentials: {
          AccessKeyId: assumedAccessKey(account),
          SecretAccessKey: `secret-${account}`,
          SessionToken: `token-${account}`,
          Expiration: new Date(Date.now() + this.assumedCredentialSeconds * 1000).toISOString(),
        },
        AssumedRoleUser: { Arn: `${roleArn}/session`, AssumedRoleId: 'AROATEST:session' },
      };
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const auth = String(req.headers.authorization ?? '');
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    const accessKeyId = scope?.[1] ?? '';
    const region = scope?.[2] ?? '';
    let service = scope?.[3] ?? '';
    let operation = '';
    let body: Record<string, unknown> = {};
    let protocol: 'json' | 'query' | 'rest';
    const target = req.headers['x-amz-target'];
    const path = (req.url ?? '/').split('?')[0];
    if (typeof target === 'string') {
      protocol = 'json';
      operation = target.split('.').pop() ?? '';
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } else if (String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) {
      protocol = 'query';
      const form = new URLSearchParams(text);
      operation = form.get('Action') ?? '';
      body = Object.fromEntries(form.entries());
    } else if (REST_ROUTES[path]) {
      protocol = 'rest';
      ({ service, operation } = REST_ROUTES[path]);
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          __type: 'UnknownOperationException',
          message: `no route for ${req.method} ${path}`,
        }),
      );
      return;
    }
    const call: RecordedCall = {
      service,
      operation,
      key: `${service}:${operation}`,
      body,
      accessKeyId,
      region,
      headers: req.headers,
    };
    this.calls.push(call);
    if (this.latencyMs > 0) await waitUnlessClosed(this.latencyMs, res);
    const queued = this.scripted.get(call.key)?.shift();
    const handler = this.handlers.get(call.key) ?? this.fallback;
    let result: unknown;
    if (queued !== undefined)
      result = typeof queued === 'function' ? await (queued as Handler)(body, call) : queued;
    else if (handler) result = await handler(body, call);
    else result = awsError('FakeNotConfigured', `the fake AWS endpoint has no handler for ${call.key}`);
    const delayMs = (result as Partial<TaggedReply> | undefined)?.[REPLY]
      ? (result as TaggedReply).delayMs
      : 0;
    if (delayMs) await waitUnlessClosed(delayMs, res);
    this.send(res, protocol, operation, result, String(req.headers['content-type'] ?? ''));
  }

  private send(
    res: ServerResponse,
    protocol: 'json' | 'query' | 'rest',
    operation: string,
    result: unknown,
    requestContentType = '',
  ): void {
    const tagged =
      result && typeof result === 'object' && REPLY in result ? (result as TaggedReply) : undefined;
    if (tagged?.reset) {
      res.socket?.destroy();
      return;
    }
    const status = tagged?.status ?? 200;
    const payload = tagged ? tagged.body : result;
    const headers = { 'x-amzn-requestid': 'fake-request-id', ...(tagged?.headers ?? {}) };
    if (tagged?.raw !== undefined) {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(tagged.raw);
      return;
    }
    if (protocol === 'query') {
      res.writeHead(status, { 'content-type': 'text/xml', ...headers });
      if (status >= 300) {
        const err = payload as { __type: string; message: string };
        res.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>${xmlEscape(err.__type)}</Code>` +
            `<Message>${xmlEscape(err.message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
        );
      } else {
        res.end(
          `<${operation}Response><${operation}Result>${toXml(payload)}</${operation}Result>` +
            `<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${operation}Response>`,
        );
      }
      return;
    }
    res.writeHead(status, {
      // JSON 1.0 services (Compute Optimizer, Cost Optimization Hub, Free Tier…) answer in the version they were asked.
      'content-type':
        protocol === 'rest'
          ? 'application/json'
          : (/application\/x-amz-json-1\.[01]/.exec(requestContentType)?.[0] ?? 'application/x-amz-json-1.1'),
      ...headers,
    });
    res.end(JSON.stringify(payload ?? {}));
  }
}

/**
 * Waits before answering, but stops waiting when the caller hangs up (a client that gave up at its deadline), so a
 * slow reply never keeps the test process alive after the test.
 */
function waitUnlessClosed(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// Query-protocol lists (CloudFormation's Stacks, Outputs) are `<member>` elements inside the list's element.
function toXml(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return xmlEscape(String(value));
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
    .join('');
}
