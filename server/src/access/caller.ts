/**
 * Who is calling, read from the bearer token's claims. A Caller exists only for a token that was verified: by the
 * server itself (AUTH_DISCOVERY_URL) or by an authorizer the deployment declares in front (AUTH_TRUSTED_UPSTREAM,
 * AgentCore's JWT authorizer). The token itself is never kept or logged.
 */
export interface Caller {
  /** `user` for a signed-in person (authorization code), `service` for a client-credentials token. */
  readonly kind: 'user' | 'service';
  readonly sub: string | undefined;
  /** Cognito's `username` (federated users: `<provider>_<id>`); absent for service tokens. */
  readonly username: string | undefined;
  readonly clientId: string | undefined;
  /** Groups from `cognito:groups`, or from the claim AUTH_GROUPS_CLAIM names. */
  readonly groups: readonly string[];
  /** The token's `scope` claim, split. */
  readonly scopes: readonly string[];
}

/** The default group claim: Cognito puts a user's groups there. */
export const COGNITO_GROUPS_CLAIM = 'cognito:groups';

/**
 * The groups a claim value lists. Cognito's `cognito:groups` is an array; an IdP attribute copied through a custom
 * attribute arrives as a string: `[a, b]` (SAML multi-value), a JSON array, or comma- or space-separated names.
 */
export function groupsFrom(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string' && g !== '');
  if (typeof value !== 'string') return [];
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (Array.isArray(parsed)) return groupsFrom(parsed);
    } catch {
      // Not JSON: SAML's "[a, b]" form, split below.
    }
  }
  return text
    .replace(/^\[|\]$/g, '')
    .split(/[,\s]+/)
    .map((g) => g.trim().replace(/^"|"$/g, ''))
    .filter(Boolean);
}

/** The caller a verified token's payload describes. */
export function callerFromClaims(payload: Record<string, unknown>, groupsClaim?: string): Caller {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const username = str(payload.username) ?? str(payload['cognito:username']);
  const clientId = str(payload.client_id) ?? str(payload.azp);
  return Object.freeze({
    // Cognito's client-credentials tokens carry no username (and sub = client id); user tokens always do.
    kind: username ? 'user' : 'service',
    sub: str(payload.sub),
    username,
    clientId,
    groups: Object.freeze(groupsFrom(payload[groupsClaim ?? COGNITO_GROUPS_CLAIM])),
    scopes: Object.freeze(typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : []),
  });
}

/**
 * The payload of a JWT, decoded WITHOUT verifying it: only for AUTH_TRUSTED_UPSTREAM, where an authorizer in front
 * has verified the token and strips or refuses any other. Undefined when the value is not a JWT.
 */
export function decodeUnverified(authorization: string | undefined): Record<string, unknown> | undefined {
  const token = /^Bearer +([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)$/i.exec(
    authorization?.trim() ?? '',
  )?.[1];
  if (!token) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as unknown;
    return payload && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
