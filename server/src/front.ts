import type { IncomingHttpHeaders } from 'node:http';
import type { ServerConfig } from './config';
import {
  buildInstructions,
  LATEST_PROTOCOL_VERSION,
  SERVER_CAPABILITIES,
  SERVER_NAME,
  SERVER_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  TOOL_NAMES,
} from './server-info';

// The front answers what a client sends first, before the core (core.ts: the MCP SDK, zod, the tools) has loaded:
// `initialize`, `ping` and `notifications/initialized`. A cold start then costs parsing this small bundle, not
// the whole server. Every answer is byte for byte the one the SDK gives (test/e2e/front.test.ts); anything the
// checks below are not sure the SDK would accept as they assume goes to the core, which answers it as before.

/** An answer the front sends as is: a JSON body, or 202 with none. */
export type FrontAnswer = { readonly status: 200; readonly body: string } | { readonly status: 202 };

type Json = Record<string, unknown>;

/** A JSON object (not an array, not null): what zod's `z.object` accepts. */
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** What the SDK's `AssertObjectSchema` accepts: any non-null object, arrays included. */
const isObjectLike = (v: unknown) => typeof v === 'object' && v !== null;
const isString = (v: unknown) => typeof v === 'string';
const isBoolean = (v: unknown) => typeof v === 'boolean';
/** An optional member: absent, or passing `check` (zod's `.optional()`). */
const optional = (o: Json, key: string, check: (v: unknown) => boolean) =>
  o[key] === undefined || check(o[key]);
/** A record of objects, as the SDK's `z.record(z.string(), AssertObjectSchema)`. */
const isObjectRecord = (v: unknown) => isRecord(v) && Object.values(v).every(isObjectLike);

/** A loose object whose listed members, where present, are objects (the SDK's task capability shapes). */
const withObjects =
  (...keys: string[]) =>
  (v: unknown) =>
    isRecord(v) && keys.every((k) => optional(v, k, isObjectLike));

/** The SDK's `ClientCapabilitiesSchema`, member by member (unknown members are allowed and ignored there too). */
function isClientCapabilities(v: unknown): boolean {
  if (!isRecord(v)) return false;
  return (
    optional(v, 'experimental', isObjectRecord) &&
    optional(v, 'sampling', withObjects('context', 'tools')) &&
    optional(
      v,
      'elicitation',
      (e) =>
        isRecord(e) &&
        optional(e, 'form', (f) => isRecord(f) && optional(f, 'applyDefaults', isBoolean)) &&
        optional(e, 'url', isObjectLike),
    ) &&
    optional(v, 'roots', (r) => isRecord(r) && optional(r, 'listChanged', isBoolean)) &&
    optional(
      v,
      'tasks',
      (t) =>
        withObjects('list', 'cancel')(t) &&
        optional(
          t as Json,
          'requests',
          (r) =>
            isRecord(r) &&
            optional(r, 'sampling', withObjects('createMessage')) &&
            optional(r, 'elicitation', withObjects('create')),
        ),
    ) &&
    optional(v, 'extensions', isObjectRecord)
  );
}

/** The SDK's `ImplementationSchema`, except that icons (rare, and a deeper shape) are left to the SDK. */
function isClientInfo(v: unknown): boolean {
  return (
    isRecord(v) &&
    isString(v.name) &&
    isString(v.version) &&
    v.icons === undefined &&
    ['title', 'websiteUrl', 'description'].every((k) => optional(v, k, isString))
  );
}

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const NOTIFICATION_KEYS = new Set(['jsonrpc', 'method', 'params']);

/** The envelope the SDK's strict `JSONRPCRequestSchema` / `JSONRPCNotificationSchema` accept. */
function hasOnly(message: Json, keys: ReadonlySet<string>): boolean {
  return message.jsonrpc === '2.0' && Object.keys(message).every((k) => keys.has(k));
}

/** A JSON-RPC id as the SDK takes it: a string or a (safe) integer. */
const isRequestId = (id: unknown): id is string | number =>
  typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id));

/** Params without `_meta` (progress tokens and task metadata are the SDK's business). */
const isPlainParams = (params: unknown) =>
  params === undefined || (isRecord(params) && params._meta === undefined);

/** `Accept` naming both media types, as the SDK transport requires (it answers 406 otherwise). */
export function acceptsBoth(accept: string | undefined): boolean {
  return !!accept && accept.includes('application/json') && accept.includes('text/event-stream');
}

/** Only the plain forms: anything unusual goes to the SDK, which parses media types in full. */
export function isPlainJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const value = contentType.toLowerCase();
  return value === 'application/json' || value === 'application/json; charset=utf-8';
}

/** The `MCP-Protocol-Version` header, which the SDK transport checks on everything but initialize. */
export function protocolHeaderOk(headers: IncomingHttpHeaders): boolean {
  const version = headers['mcp-protocol-version'];
  return (
    version === undefined || (typeof version === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(version))
  );
}

/**
 * The front's answers. `initialize` is answered as the SDK's Server does: the requested protocol version if
 * supported, else the latest; then capabilities, server info and instructions, in that key order. The JSON of each
 * possible result is built once, so an answer is a string concatenation around the request id.
 */
export class FrontAnswers {
  private readonly initializeHeads = new Map<string, string>();

  constructor(config: Pick<ServerConfig, 'allowedTargetAccounts' | 'cacheTtlSeconds'>) {
    const instructions = buildInstructions(config, TOOL_NAMES);
    for (const protocolVersion of SUPPORTED_PROTOCOL_VERSIONS) {
      const result = {
        protocolVersion,
        capabilities: SERVER_CAPABILITIES,
        serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
        instructions,
      };
      // The SDK's Protocol sends { result, jsonrpc, id } in this order.
      this.initializeHeads.set(protocolVersion, `{"result":${JSON.stringify(result)},"jsonrpc":"2.0","id":`);
    }
  }

  /** The answer to a parsed POST /mcp body, or undefined when it must go to the core. */
  answer(headers: IncomingHttpHeaders, body: unknown): FrontAnswer | undefined {
    if (!isRecord(body)) return undefined;
    if (!acceptsBoth(headers.accept) || !isPlainJson(headers['content-type'])) return undefined;
    if (body.method === 'notifications/initialized') {
      // Its handler in the SDK only records that it arrived; the transport answers 202 with no body.
      return hasOnly(body, NOTIFICATION_KEYS) && isPlainParams(body.params) && protocolHeaderOk(headers)
        ? { status: 202 }
        : undefined;
    }
    if (!hasOnly(body, REQUEST_KEYS) || !isRequestId(body.id)) return undefined;
    const id = JSON.stringify(body.id);
    if (body.method === 'ping') {
      return isPlainParams(body.params) && protocolHeaderOk(headers)
        ? { status: 200, body: `{"result":{},"jsonrpc":"2.0","id":${id}}` }
        : undefined;
    }
    if (body.method !== 'initialize') return undefined;
    const params = body.params;
    if (
      !isRecord(params) ||
      params._meta !== undefined ||
      !isString(params.protocolVersion) ||
      !isClientCapabilities(params.capabilities) ||
      !isClientInfo(params.clientInfo)
    ) {
      return undefined;
    }
    const head =
      this.initializeHeads.get(params.protocolVersion as string) ??
      this.initializeHeads.get(LATEST_PROTOCOL_VERSION)!;
    return { status: 200, body: `${head}${id}}` };
  }
}
