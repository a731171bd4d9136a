import type { AuthConfig } from '../config';
import type { Logger } from '../log';

/**
 * Optional bearer-token verification for running the server outside AgentCore (locally on a shared host, or behind
 * a plain load balancer). On AgentCore the runtime's JWT authorizer checks the token before the request reaches the
 * container, so this stays off there.
 */

/** The outcome of checking one request's `Authorization` header. */
export type AuthVerdict =
  | { readonly ok: true; readonly clientId: string }
  | {
      readonly ok: false;
      /** 401 no or bad token, 403 a valid token without the required scope, 503 the issuer cannot be reached. */
      readonly status: 401 | 403 | 503;
      /** The `WWW-Authenticate` value (RFC 6750), absent for 503. */
      readonly challenge?: string;
      /** What went wrong, for the caller (never the token or the key). */
      readonly message: string;
    };

/** Checks an `Authorization` header value. */
export type BearerAuthenticator = (authorization: string | undefined) => Promise<AuthVerdict>;

export interface AuthenticatorOptions {
  /** For tests: the fetch used to read the discovery document. */
  readonly fetch?: typeof fetch;
}

const REALM = 'billing-mcp';
// RFC 6750 b64token; anything else in the header cannot be a JWT.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const DISCOVERY_TIMEOUT_MS = 5_000;

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
type KeySet = ReturnType<Jose['createRemoteJWKSet']>;

interface Issuer {
  readonly jose: Jose;
  readonly issuer: string;
  readonly keys: KeySet;
}

function challenge(error?: 'invalid_token' | 'insufficient_scope', description?: string, scope?: string) {
  const params = [`realm="${REALM}"`];
  if (error) params.push(`error="${error}"`);
  // error_description may not contain '"' or '\' (RFC 6750 §3); our descriptions are fixed text plus ids.
  if (description) params.push(`error_description="${description.replace(/["\\]/g, "'")}"`);
  if (scope) params.push(`scope="${scope}"`);
  return `Bearer ${params.join(', ')}`;
}

function invalid(description: string): AuthVerdict {
  return {
    ok: false,
    status: 401,
    challenge: challenge('invalid_token', description),
    message: `Unauthorized: ${description}`,
  };
}

/** What a jose verification error means, in words for the caller. */
function describeJoseError(err: unknown): string {
  const e = err as { code?: string; claim?: string };
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return 'the access token has expired; get a new one from the token URL.';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the token signature does not verify against the issuer keys.';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'the token was not signed by a key the issuer publishes.';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return e.claim === 'iss'
        ? 'the token comes from another issuer than AUTH_DISCOVERY_URL names.'
        : `the token's "${e.claim ?? 'unknown'}" claim is not valid.`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'the token is signed with an algorithm the issuer keys do not allow.';
    default:
      return 'the bearer value is not a valid JWT access token.';
  }
}

/**
 * Verifies `Authorization: Bearer <JWT>` against an OpenID issuer: signature (keys from the discovery document's
 * `jwks_uri`, cached and refreshed by jose), expiry, issuer, `client_id` in the allowed list (client-credentials
 * access tokens carry `client_id` and no `aud`, as Cognito issues them) and, if configured, a scope.
 */
export function createBearerAuthenticator(
  config: AuthConfig,
  log: Logger,
  options: AuthenticatorOptions = {},
): BearerAuthenticator {
  const fetchImpl = options.fetch ?? fetch;
  let issuer: Promise<Issuer> | undefined;

  const loadIssuer = (): Promise<Issuer> => {
    if (!issuer) {
      issuer = (async () => {
        // jose is loaded on first use: with verification off (the default) the server never pays for it.
        const jose = await import('jose');
        const res = await fetchImpl(config.discoveryUrl, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
        });
        if (!res.ok) throw new Error(`discovery document answered HTTP ${res.status}`);
        const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
        if (typeof doc.issuer !== 'string' || typeof doc.jwks_uri !== 'string') {
          throw new Error('discovery document has no issuer or jwks_uri');
        }
        return {
          jose,
          issuer: doc.issuer,
          keys: jose.createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: DISCOVERY_TIMEOUT_MS }),
        };
      })();
      // A failed fetch is retried by the next request rather than remembered.
      issuer.catch(() => (issuer = undefined));
    }
    return issuer;
  };

  return async (authorization) => {
    if (!authorization) {
      return {
        ok: false,
        status: 401,
        challenge: challenge(),
        message: 'Unauthorized: send Authorization: Bearer <access token> (client-credentials token).',
      };
    }
    const token = BEARER.exec(authorization.trim())?.[1];
    if (!token) return invalid('the Authorization header is not "Bearer <token>".');

    let trusted: Issuer;
    try {
      trusted = await loadIssuer();
    } catch (err) {
      log.error('cannot load the token issuer', {
        discoveryUrl: config.discoveryUrl,
        errorMessage: (err as Error).message,
      });
      return {
        ok: false,
        status: 503,
        message: 'The server cannot reach its token issuer to verify the bearer token; try again shortly.',
      };
    }

    let payload: Record<string, unknown>;
    try {
      ({ payload } = await trusted.jose.jwtVerify(token, trusted.keys, {
        issuer: trusted.issuer,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWKS_TIMEOUT' || (err as Error).name === 'TimeoutError') {
        log.error('cannot fetch the issuer keys', { errorMessage: (err as Error).message });
        return {
          ok: false,
          status: 503,
          message: 'The server cannot fetch its token issuer keys; try again shortly.',
        };
      }
      const reason = describeJoseError(err);
      log.warn('bearer token refused', { reason: code ?? 'ERR_JWT_INVALID' });
      return invalid(reason);
    }

    // Cognito also signs ID tokens with the same keys; only access tokens may call the server.
    if (payload.token_use !== undefined && payload.token_use !== 'access') {
      return invalid('the token is not an access token.');
    }
    const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
    if (!clientId || !config.allowedClients.includes(clientId)) {
      log.warn('bearer token refused', { reason: 'client not allowed', clientId: clientId ?? null });
      return invalid(
        clientId
          ? `client ${clientId} is not in AUTH_ALLOWED_CLIENTS.`
          : 'the token has no client_id claim (send a client-credentials access token).',
      );
    }
    if (config.requiredScope) {
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      if (!scopes.includes(config.requiredScope)) {
        log.warn('bearer token refused', { reason: 'missing scope', clientId });
        return {
          ok: false,
          status: 403,
          challenge: challenge(
            'insufficient_scope',
            `the token lacks the scope ${config.requiredScope}.`,
            config.requiredScope,
          ),
          message: `Forbidden: the token lacks the scope ${config.requiredScope}; request it from the token URL.`,
        };
      }
    }
    return { ok: true, clientId };
  };
}
