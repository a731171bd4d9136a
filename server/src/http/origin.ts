import type { IncomingHttpHeaders } from 'node:http';

// DNS rebinding: a web page on evil.example can make a browser send requests to a server on the developer's
// loopback by pointing its own name at 127.0.0.1. The browser still sends `Origin: https://evil.example` and
// `Host: evil.example`, so the server refuses both (MCP specification, streamable HTTP transport: servers MUST
// validate Origin and answer 403).

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether the server listens on a loopback address only (then only loopback names are valid in `Host`). */
export function isLoopbackBinding(host: string): boolean {
  return isLoopbackName(host);
}

/** The host name of a `Host` header value, without its port. */
function hostName(header: string): string {
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.lastIndexOf(':');
  return colon === -1 ? header : header.slice(0, colon);
}

/** Whether `name` (a host name, IPv6 in brackets) is a loopback name. */
function isLoopbackName(name: string): boolean {
  return LOOPBACK_HOSTS.has(name) || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** Whether an Origin header names a page served from this machine's loopback (which a rebinding page cannot). */
function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackName(new URL(origin).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/**
 * Why a request must be refused with 403, or undefined when it may proceed: an `Origin` header that is not in
 * `allowedOrigins` (absent is fine: servers and Amazon Quick send none; when bound to loopback, a loopback origin such
 * as a local MCP Inspector is fine too), or, when bound to loopback, a `Host` that does not name loopback.
 */
export function rebindingRefusal(
  headers: IncomingHttpHeaders,
  allowedOrigins: readonly string[],
  bindHost: string,
): string | undefined {
  const loopback = isLoopbackBinding(bindHost);
  const origin = headers.origin;
  if (origin !== undefined && !allowedOrigins.includes(origin) && !(loopback && isLoopbackOrigin(origin))) {
    return (
      `Forbidden: Origin ${JSON.stringify(origin.slice(0, 200))} is not allowed. Browser pages may call this server ` +
      'only from an origin listed in ALLOWED_ORIGINS.'
    );
  }
  if (loopback) {
    const host = headers.host;
    const name = host === undefined ? undefined : hostName(host).toLowerCase();
    if (name === undefined || !isLoopbackName(name)) {
      return `Forbidden: this server listens on loopback, so the Host header must name loopback (got ${JSON.stringify((host ?? '').slice(0, 200))}).`;
    }
  }
  return undefined;
}
