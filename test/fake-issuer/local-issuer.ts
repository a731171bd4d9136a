import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OAuth 2.0 / OpenID issuer shaped like a Cognito user pool with a client-credentials app client: an
 * OpenID discovery document, a JWKS, and a token endpoint that issues RS256 access tokens carrying `client_id`
 * and `scope` (and no `aud`), as Cognito does. Tokens are signed with node:crypto, independently of the jose
 * library the server verifies them with. Tests can also mint tokens directly: expired, for another client, with
 * another scope, signed with a key the issuer does not publish.
 */

export interface IssuerClient {
  readonly id: string;
  readonly secret: string;
  /** Scopes the client may request; the default grant when it asks for none. */
  readonly scopes: readonly string[];
}

export interface MintOptions {
  readonly clientId: string;
  readonly scope?: string;
  /** Seconds until expiry; negative for an already expired token. */
  readonly expiresIn?: number;
  readonly issuer?: string;
  /** Sign with a key the JWKS does not contain, under the published key id. */
  readonly foreignKey?: boolean;
  readonly kid?: string;
  /** Extra or overriding claims. */
  readonly claims?: Record<string, unknown>;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

export class LocalIssuer {
  private server: Server | undefined;
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly kid = `kid-${randomUUID().slice(0, 8)}`;
  readonly clients = new Map<string, IssuerClient>();
  /** Token endpoint requests received. */
  tokenRequests = 0;
  url = '';

  /** The issuer identifier (`iss`), as Cognito's: the base URL of the pool. */
  get issuer(): string {
    return `${this.url}/pool`;
  }

  get discoveryUrl(): string {
    return `${this.issuer}/.well-known/openid-configuration`;
  }

  get tokenUrl(): string {
    return `${this.url}/oauth2/token`;
  }

  addClient(client: IssuerClient): this {
    this.clients.set(client.id, client);
    return this;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Signs an access token directly, bypassing the token endpoint. */
  mint(options: MintOptions): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', kid: options.kid ?? this.kid, typ: 'JWT' };
    const payload = {
      sub: options.clientId,
      token_use: 'access',
      scope: options.scope ?? 'billing-mcp/invoke',
      auth_time: now,
      iss: options.issuer ?? this.issuer,
      exp: now + (options.expiresIn ?? 3600),
      iat: now,
      version: 2,
      jti: randomUUID(),
      client_id: options.clientId,
      ...options.claims,
    };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const key: KeyObject = options.foreignKey ? this.foreign.privateKey : this.keys.privateKey;
    return `${input}.${base64url(sign('sha256', Buffer.from(input), key))}`;
  }

  /**
   * An access token for a signed-in user, as Cognito issues one after the authorization code flow: `username`, a
   * `sub` of its own, `cognito:groups` (or `groupsClaim`, as a federated user's copied IdP groups), and the
   * user client's `client_id`.
   */
  mintUser(user: {
    readonly username: string;
    readonly groups: readonly string[];
    readonly clientId?: string;
    readonly groupsClaim?: string;
    readonly foreignKey?: boolean;
  }): string {
    return this.mint({
      clientId: user.clientId ?? 'quick-users',
      scope: 'openid billing-mcp/invoke',
      foreignKey: user.foreignKey,
      claims: {
        sub: `sub-${user.username}`,
        username: user.username,
        ...(user.groups.length ? { [user.groupsClaim ?? 'cognito:groups']: [...user.groups] } : {}),
      },
    });
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/pool/.well-known/openid-configuration') {
      return {
        status: 200,
        body: {
          issuer: this.issuer,
          jwks_uri: `${this.issuer}/.well-known/jwks.json`,
          token_endpoint: this.tokenUrl,
          grant_types_supported: ['client_credentials'],
          id_token_signing_alg_values_supported: ['RS256'],
        },
      };
    }
    if (req.method === 'GET' && path === '/pool/.well-known/jwks.json') {
      const jwk = this.keys.publicKey.export({ format: 'jwk' });
      return { status: 200, body: { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] } };
    }
    if (req.method === 'POST' && path === '/oauth2/token') return this.token(req);
    return { status: 404, body: { error: 'not_found' } };
  }

  /** The client-credentials grant, with Cognito's error answers. */
  private async token(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    this.tokenRequests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    let id = form.get('client_id') ?? '';
    let secret = form.get('client_secret') ?? '';
    const basic = /^Basic (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (form.get('grant_type') !== 'client_credentials')
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    const client = this.clients.get(id);
    if (!client || client.secret !== secret) return { status: 400, body: { error: 'invalid_client' } };
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (requested.some((s) => !client.scopes.includes(s)))
      return { status: 400, body: { error: 'invalid_scope' } };
    const scope = (requested.length ? requested : client.scopes).join(' ');
    return {
      status: 200,
      body: { access_token: this.mint({ clientId: id, scope }), expires_in: 3600, token_type: 'Bearer' },
    };
  }
}
