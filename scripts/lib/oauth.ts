import { StepFailure, type ClientCredentials } from './deployment';

/** An access token from the client-credentials grant. */
export interface AccessToken {
  readonly accessToken: string;
  readonly expiresIn: number | undefined;
  /** The scopes the token carries, read from its payload (not verified: the server verifies). */
  readonly scope: string | undefined;
  readonly clientId: string | undefined;
}

/** The claims of a JWT, decoded without verification (for diagnosis only). */
export function peekClaims(jwt: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return {};
  }
}

const TOKEN_ERRORS: Record<string, string> = {
  invalid_client:
    'The client id or secret is wrong: the secret in Secrets Manager no longer matches the Cognito app client ' +
    '(recreated?). Redeploy the Auth stack and run again; update Amazon Quick with the new secret.',
  unauthorized_client:
    'The app client may not use the client-credentials grant: redeploy the Auth stack (it enables that flow).',
  invalid_scope:
    'The scope in the secret is not allowed for the app client: redeploy the Auth stack so the resource server ' +
    'and the client agree on the scope.',
  unsupported_grant_type: 'The token endpoint refused grant_type=client_credentials: check the token URL.',
};

/**
 * Gets a token with the OAuth 2.0 client-credentials grant, authenticating with HTTP Basic (client_secret_basic,
 * what Cognito and Amazon Quick use).
 */
export async function fetchClientCredentialsToken(
  credentials: ClientCredentials,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<AccessToken> {
  const fetchImpl = options.fetch ?? fetch;
  // RFC 6749 §2.3.1: the id and secret are form-urlencoded before Basic encoding.
  const basic = Buffer.from(
    `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
  ).toString('base64');
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (credentials.scope) body.set('scope', credentials.scope);
  let res: Response;
  try {
    res = await fetchImpl(credentials.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: body.toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (err) {
    const cause = String((err as { cause?: unknown }).cause ?? err);
    throw new StepFailure(
      `Cannot reach the token URL ${credentials.tokenUrl}: ${cause}`,
      /ENOTFOUND|EAI_AGAIN/.test(cause)
        ? 'The Cognito domain does not resolve: check that the Auth stack created its domain, and the TokenUrl output.'
        : 'Check the network and the TokenUrl output of the Auth stack.',
    );
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Cognito answers JSON; anything else is reported as text below.
  }
  if (!res.ok || typeof json.access_token !== 'string') {
    const error = typeof json.error === 'string' ? json.error : undefined;
    throw new StepFailure(
      `The token endpoint answered HTTP ${res.status}${error ? ` ${error}` : ''}${error ? '' : `: ${text.slice(0, 200)}`}.`,
      (error && TOKEN_ERRORS[error]) ??
        (res.status === 404
          ? 'The token URL is wrong: it must end in /oauth2/token on the Cognito domain (TokenUrl output).'
          : 'Check the TokenUrl output and the client credentials in Secrets Manager.'),
    );
  }
  const claims = peekClaims(json.access_token);
  return {
    accessToken: json.access_token,
    expiresIn: typeof json.expires_in === 'number' ? json.expires_in : undefined,
    scope: typeof claims.scope === 'string' ? claims.scope : undefined,
    clientId: typeof claims.client_id === 'string' ? claims.client_id : undefined,
  };
}
