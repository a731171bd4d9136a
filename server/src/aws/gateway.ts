import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { restrictRequest } from '../access/enforce';
import { type AccessScope, UNRESTRICTED } from '../access/policy';
import type { ServerConfig } from '../config';
import type { Logger } from '../log';
import { describeError } from '../log';
import { AWS_OPERATIONS, type AwsOperation, type AwsService, type OperationSpec } from './actions';
import { AnswerCache, cacheKey, type FetchedAnswer, SharedRequestFailed } from './cache';
import { DerivationIndex } from './derive';
import { AwsCallError, classifyAwsError } from './errors';
import type { InputOf, OutputOf } from './operations';
import { SERVICES, type SdkClient } from './services';
import { SharedCache, sharedCacheKey } from './shared-cache';

/** The account a call is made in, resolved from a tool's `target_account_id`. */
export interface AccountScope {
  readonly accountId: string;
  /** True for the account the server runs in: base credentials, no AssumeRole. */
  readonly isOwn: boolean;
  /** The account's name where one is known, for answers only (never part of a request or a cache key). */
  readonly name?: string;
}

/**
 * What one tool call (or one account of a fan-out) spent: AWS requests made, paid requests per account, cache
 * hits, and the age of the cached data used. A child meter (one per fan-out account) also counts into its parent,
 * so the call's total is always the sum over its accounts.
 */
export class UsageMeter {
  requests = 0;
  paidRequests = 0;
  cacheHits = 0;
  /** Bytes the cost-data queries of this call scanned (Athena bills $5 per TB); cached results add nothing. */
  scannedBytes = 0;
  /** Answers read from the shared table (SHARED_CACHE_TABLE): fetched by another session, paid once. */
  sharedCacheHits = 0;
  /** Oldest fetch time (epoch ms) of any cached answer used, for "data fetched at …". */
  oldestCachedFetch: number | undefined;
  /** Paid requests made in each account by this call. */
  readonly paidByAccount = new Map<string, number>();
  /** Accounts whose data this call read (from AWS or the cache), for the audit line. */
  readonly accounts = new Set<string>();
  /** A request of this call had the caller's LINKED_ACCOUNT restriction added. */
  restricted = false;

  constructor(private readonly parent?: UsageMeter) {}

  /** A meter for part of this call whose counts also land here. */
  child(): UsageMeter {
    return new UsageMeter(this);
  }

  /** One request sent to AWS (counted when it is sent: an aborted request may still be billed). */
  recordRequest(accountId: string, paid: boolean): void {
    this.requests++;
    this.accounts.add(accountId);
    if (paid) {
      this.paidRequests++;
      this.paidByAccount.set(accountId, (this.paidByAccount.get(accountId) ?? 0) + 1);
    }
    this.parent?.recordRequest(accountId, paid);
  }

  /** Bytes one query read. */
  recordScan(bytes: number): void {
    this.scannedBytes += bytes;
    this.parent?.recordScan(bytes);
  }

  /** One answer read from the shared table, fetched from AWS at `fetchedAt` by some session. */
  recordSharedCacheHit(fetchedAt: number): void {
    this.sharedCacheHits++;
    this.oldestCachedFetch = Math.min(this.oldestCachedFetch ?? fetchedAt, fetchedAt);
    this.parent?.recordSharedCacheHit(fetchedAt);
  }

  /** One answer served from the cache (or from an identical request already in flight). */
  recordCacheHit(fetchedAt: number, accountId?: string): void {
    this.cacheHits++;
    if (accountId !== undefined) this.accounts.add(accountId);
    this.oldestCachedFetch = Math.min(this.oldestCachedFetch ?? fetchedAt, fetchedAt);
    this.parent?.recordCacheHit(fetchedAt, accountId);
  }

  /** This call read `accountId`'s data by other means than a request in it (from its payer's answer). */
  recordAccountRead(accountId: string): void {
    this.accounts.add(accountId);
    this.parent?.recordAccountRead(accountId);
  }

  /** A request was restricted to the caller's accounts. */
  recordRestricted(): void {
    this.restricted = true;
    this.parent?.recordRestricted();
  }
}

export interface CallOptions {
  readonly account: AccountScope;
  /** Region for regional services; the global billing services ignore it. */
  readonly region?: string;
  readonly signal?: AbortSignal;
  readonly meter?: UsageMeter;
  /** Skip both cache tiers for this call (the answer is still stored in both). */
  readonly refresh?: boolean;
  /**
   * The caller's account scope, applied to the request before the cache or AWS sees it (access/enforce.ts).
   * @default UNRESTRICTED
   */
  readonly scope?: AccessScope;
}

export interface GatewayOptions {
  /** The clock (epoch ms); tests may pass a fake one. */
  readonly now?: () => number;
  /** AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, for the JSON services the SDK does not configure for us. */
  readonly endpointOverrides?: Readonly<Record<string, string>>;
  /**
   * The shared tier (tests may pass one with their own timeouts).
   * @default - a SharedCache on config.sharedCacheTable when that is set and caching is on
   */
  readonly sharedCache?: SharedCache;
}

const ASSUMED_ROLE_SECONDS = 3600;
// Refresh assumed-role credentials this long before they expire, so no call is signed with credentials that lapse
// in flight.
const CREDENTIAL_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * The only way the server talks to AWS. It accepts only catalogued (read-only) operations, keeps one client per
 * (service, account, region), assumes member roles, caches answers, shares identical in-flight calls, counts
 * paid requests and turns every failure into an AwsCallError with a message a user can act on.
 */
export class AwsGateway {
  private readonly clients = new Map<string, Promise<SdkClient>>();
  private readonly credentials = new Map<string, AwsCredentialIdentityProvider>();
  private readonly cache: AnswerCache;
  /** The table every session shares answers through; absent without SHARED_CACHE_TABLE or with caching off. */
  private readonly shared: SharedCache | undefined;
  /** Stored answers that may answer narrower requests exactly; absent when caching is off. */
  private readonly derivable: DerivationIndex | undefined;
  private readonly now: () => number;
  private readonly endpointOverrides: Readonly<Record<string, string>>;
  private ownAccount: Promise<string> | undefined;
  /** Cumulative paid requests per account, for the operator's logs. */
  private readonly paidByAccount = new Map<string, number>();

  constructor(
    private readonly config: ServerConfig,
    private readonly log: Logger,
    options: GatewayOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.endpointOverrides = options.endpointOverrides ?? {};
    this.cache = new AnswerCache(
      config.cacheTtlSeconds,
      config.cacheMaxEntries,
      this.now,
      config.cacheMaxBytes,
    );
    this.derivable = config.cacheTtlSeconds > 0 ? new DerivationIndex(config.cacheMaxEntries) : undefined;
    this.shared =
      config.cacheTtlSeconds > 0
        ? (options.sharedCache ??
          (config.sharedCacheTable
            ? new SharedCache({
                tableName: config.sharedCacheTable,
                region: config.defaultRegion,
                log,
                now: this.now,
              })
            : undefined))
        : undefined;
  }

  /** Waits for the shared-cache writes started so far (tests; shutdown). */
  flushSharedCache(): Promise<void> {
    return this.shared?.flush() ?? Promise.resolve();
  }

  /** The id of the account the server's own credentials belong to (sts:GetCallerIdentity, once per process). */
  ownAccountId(signal?: AbortSignal): Promise<string> {
    if (!this.ownAccount) {
      const own: AccountScope = { accountId: 'self', isOwn: true };
      this.ownAccount = this.send('sts:GetCallerIdentity', {}, { account: own, signal }).then((out) => {
        if (!out.Account)
          throw new AwsCallError(
            'malformed-response',
            'sts:GetCallerIdentity',
            'self',
            'STS returned no account id.',
          );
        return out.Account;
      });
      // A failure (no credentials yet, network) must not be remembered for the life of the process.
      this.ownAccount.catch(() => (this.ownAccount = undefined));
    }
    return this.ownAccount;
  }

  /** The accounts the server may be asked about besides its own: '*' or an explicit list. */
  get allowedTargets(): '*' | readonly string[] {
    return this.config.allowedTargetAccounts;
  }

  /** Whether `accountId` may be queried; the own account always may. */
  isAllowedTarget(accountId: string): boolean {
    const allowed = this.config.allowedTargetAccounts;
    return allowed === '*' || allowed.includes(accountId);
  }

  /** The role ARN assumed in a member account. */
  roleArnFor(accountId: string): string {
    return `arn:aws:iam::${accountId}:role/${this.config.crossAccountRoleName}`;
  }

  /**
   * Calls one catalogued operation through the cache: a stored answer younger than the TTL is returned without a
   * request (unless `refresh`), as is an answer derived exactly from a stored broader one (see derive.ts), counted
   * as a cache hit with the stored answer's fetch time. Identical concurrent requests share one AWS call. Failures
   * are never stored.
   */
  async call<O extends AwsOperation>(
    operation: O,
    input: InputOf<O>,
    options: CallOptions,
  ): Promise<OutputOf<O>> {
    const { account, meter, signal } = options;
    const scope = options.scope ?? UNRESTRICTED;
    // The one place every request passes: scoped callers' requests are filtered (or refused) here, before the cache
    // is consulted, so a cached answer is only ever one made for the same restricted request.
    const restricted = restrictRequest(operation, input, account.accountId, scope);
    if (restricted.filtered) meter?.recordRestricted();
    input = restricted.input;
    // The scope is part of the key too: answers are never shared across scopes, derived ones included.
    const keyAccount =
      scope.accounts === '*' ? account.accountId : `${account.accountId}#scope=${scope.accounts.join(',')}`;
    if ((AWS_OPERATIONS[operation] as OperationSpec).uncached) {
      try {
        return await this.send(operation, input, options);
      } catch (err) {
        throw classifyAwsError(signal?.aborted ? (signal.reason ?? err) : err, operation, account.accountId);
      }
    }
    const region = this.regionFor(operation, options.region);
    const key = cacheKey(keyAccount, region, operation, input);
    if (!options.refresh) {
      const hit = this.cache.get(key);
      if (hit) {
        meter?.recordCacheHit(hit.fetchedAt, account.accountId);
        return hit.value as OutputOf<O>;
      }
      const derived = this.derivable?.derive(keyAccount, region, operation, input, (k) => this.cache.get(k));
      if (derived) {
        meter?.recordCacheHit(derived.fetchedAt, account.accountId);
        this.log.debug('answer derived from the cache', { operation, account: account.accountId, region });
        return derived.value as OutputOf<O>;
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await this.cache.shareFetched(
          key,
          () => this.fetch(key, operation, input, options),
          signal,
        );
        if (answer.shared) meter?.recordCacheHit(answer.fetchedAt, account.accountId);
        else {
          if (answer.origin === 'shared') meter?.recordSharedCacheHit(answer.fetchedAt);
          this.derivable?.remember(key, keyAccount, region, operation, input, answer.value);
        }
        return answer.value as OutputOf<O>;
      } catch (err) {
        if (!(err instanceof SharedRequestFailed)) {
          throw classifyAwsError(
            signal?.aborted ? (signal.reason ?? err) : err,
            operation,
            account.accountId,
          );
        }
        // The request this call joined was stopped by its starter's deadline, not ours: ask again ourselves.
        const cause = classifyAwsError(err.cause, operation, account.accountId);
        if (cause.kind !== 'deadline' || attempt > 0) throw cause;
      }
    }
  }

  /**
   * A result computed from AWS (or from local files) through the answer cache: a stored one younger than the TTL
   * unless `refresh`, else `fetch` once for every identical concurrent caller. Used for query results, keyed by the
   * engine, the data's location, the SQL and its parameters: the key carries everything that scopes the answer.
   */
  async cached<T>(
    key: string,
    fetch: () => Promise<T>,
    options: Pick<CallOptions, 'signal' | 'meter' | 'refresh'>,
  ): Promise<{ value: T; fetchedAt: number; fromCache: boolean }> {
    const full = `result|${key}`;
    if (!options.refresh) {
      const hit = this.cache.get(full);
      if (hit) {
        options.meter?.recordCacheHit(hit.fetchedAt);
        return { value: hit.value as T, fetchedAt: hit.fetchedAt, fromCache: true };
      }
    }
    const answer = await this.cache.share(full, fetch, options.signal).catch((err: unknown) => {
      throw err instanceof SharedRequestFailed ? err.cause : err;
    });
    if (answer.shared) options.meter?.recordCacheHit(answer.fetchedAt);
    return { value: answer.value as T, fetchedAt: answer.fetchedAt, fromCache: answer.shared };
  }

  /**
   * Behind the in-process tier: the shared table (unless `refresh`), then AWS, whose answer is then written to the
   * table in the background.
   */
  private async fetch<O extends AwsOperation>(
    key: string,
    operation: O,
    input: InputOf<O>,
    options: CallOptions,
  ): Promise<FetchedAnswer> {
    const shared = this.shared;
    if (!shared) return { value: await this.send(operation, input, options), origin: 'aws' };
    // `key` already carries the caller's scope (see call), so answers of one scope never serve another.
    const sharedKey = sharedCacheKey(options.account.accountId, operation, key);
    if (!options.refresh) {
      const hit = await shared.get(sharedKey, options.signal);
      if (hit)
        return {
          value: hit.value,
          origin: 'shared',
          fetchedAt: hit.fetchedAt,
          ttlMs: hit.expiresAt - this.now(),
        };
    }
    const value = await this.send(operation, input, options);
    const fetchedAt = this.now();
    shared.put(sharedKey, value, fetchedAt, fetchedAt + this.config.cacheTtlSeconds * 1000);
    return { value, origin: 'aws', fetchedAt };
  }

  /** Calls AWS, bypassing the cache. */
  private async send<O extends AwsOperation>(
    operation: O,
    input: InputOf<O>,
    options: CallOptions,
  ): Promise<OutputOf<O>> {
    const { account, signal, meter } = options;
    const [service, api] = operation.split(':') as [AwsService, string];
    const region = this.regionFor(operation, options.region);
    if (signal?.aborted) throw classifyAwsError(signal.reason ?? abortError(), operation, account.accountId);
    const paid = (AWS_OPERATIONS[operation] as { paid?: boolean }).paid === true;
    const started = this.now();
    try {
      // A member account's role is assumed first, so a request that never leaves (the role cannot be assumed) is
      // not counted as paid. The provider is memoized: the SDK's own lookup just below reuses these credentials.
      if (!account.isOwn) await this.credentialsFor(account)();
      if (signal?.aborted) throw signal.reason ?? abortError();
      meter?.recordRequest(account.accountId, paid);
      if (paid)
        this.paidByAccount.set(account.accountId, (this.paidByAccount.get(account.accountId) ?? 0) + 1);
      const spec = SERVICES[service].load();
      let output: unknown;
      if ('then' in spec) {
        const loaded = await spec;
        const client = await this.client(service, account, region);
        output = await client.send(loaded.command(api, input), { abortSignal: signal });
      } else {
        // The signing helper (SigV4, the smithy HTTP handler: ~40 ms to load) also waits for its first use.
        const { callJsonService } = await import('./json-services/signed-json.js');
        output = await callJsonService(spec, api, input, {
          region,
          credentials: this.credentialsFor(account),
          endpointOverrides: this.endpointOverrides,
          signal,
        });
      }
      this.log.debug('aws call', { operation, account: account.accountId, region, ms: this.now() - started });
      const { $metadata: _metadata, ...rest } = output as Record<string, unknown>;
      return rest as OutputOf<O>;
    } catch (err) {
      const failure = classifyAwsError(
        signal?.aborted ? (signal.reason ?? err) : err,
        operation,
        account.accountId,
      );
      this.log.warn('aws call failed', {
        operation,
        account: account.accountId,
        region,
        kind: failure.kind,
        ms: this.now() - started,
        ...describeError(err),
      });
      throw failure;
    }
  }

  /** Cumulative paid requests per account since start-up. */
  paidRequestsByAccount(): ReadonlyMap<string, number> {
    return this.paidByAccount;
  }

  private regionFor(operation: AwsOperation, requested: string | undefined): string {
    const [service] = operation.split(':') as [AwsService];
    const fixed = SERVICES[service].region;
    return fixed === 'regional' ? (requested ?? this.config.defaultRegion) : fixed;
  }

  private client(service: AwsService, account: AccountScope, region: string): Promise<SdkClient> {
    const key = `${service}|${account.accountId}|${region}`;
    let client = this.clients.get(key);
    if (!client) {
      client = (async () => {
        const loaded = await SERVICES[service].load();
        if (!('createClient' in loaded)) throw new Error(`${service} has no SDK client`);
        return loaded.createClient({
          region,
          ...(account.isOwn ? {} : { credentials: this.credentialsFor(account) }),
          maxAttempts: 4,
          retryMode: 'adaptive',
          requestHandler: { connectionTimeout: 3_000, requestTimeout: 20_000 },
        });
      })();
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  /**
   * Credentials for an account: the default chain for the own account; for a member account, its role assumed
   * with fromTemporaryCredentials, memoized per account (shared by every service client) and refreshed before
   * expiry. The credential-provider modules load on first use, like the SDK clients.
   */
  private credentialsFor(account: AccountScope): AwsCredentialIdentityProvider {
    const key = account.isOwn ? '' : account.accountId;
    let provider = this.credentials.get(key);
    if (!provider) {
      const real = loadCredentialLibraries().then(
        ({ fromNodeProviderChain, fromTemporaryCredentials, memoize }) => {
          if (account.isOwn) return memoize(fromNodeProviderChain(), expiresSoon, hasExpiry);
          const roleArn = this.roleArnFor(account.accountId);
          const assume = fromTemporaryCredentials({
            params: {
              RoleArn: roleArn,
              RoleSessionName: `billing-mcp-${account.accountId}`,
              DurationSeconds: ASSUMED_ROLE_SECONDS,
              ...(this.config.crossAccountExternalId
                ? { ExternalId: this.config.crossAccountExternalId }
                : {}),
            },
            clientConfig: { region: this.config.defaultRegion },
          });
          const accountId = account.accountId;
          const explained: AwsCredentialIdentityProvider = async (props) => {
            try {
              return await assume(props);
            } catch (err) {
              throw assumeRoleFailure(err, roleArn, accountId);
            }
          };
          return memoize(explained, expiresSoon, hasExpiry);
        },
      );
      // A module that failed to load is not remembered.
      real.catch(() => this.credentials.delete(key));
      provider = async (props) => (await real)(props);
      this.credentials.set(key, provider);
    }
    return provider;
  }
}

// Loaded on first use: @aws-sdk/credential-providers pulls in STS, SSO and the whole default chain (~100 ms at
// start-up otherwise), and a cold microVM answers `initialize` before it needs any of it.
let credentialLibraries:
  | Promise<{
      fromNodeProviderChain: typeof import('@aws-sdk/credential-providers').fromNodeProviderChain;
      fromTemporaryCredentials: typeof import('@aws-sdk/credential-providers').fromTemporaryCredentials;
      memoize: typeof import('@smithy/property-provider').memoize;
    }>
  | undefined;

function loadCredentialLibraries() {
  if (!credentialLibraries) {
    credentialLibraries = Promise.all([
      import('@aws-sdk/credential-providers'),
      import('@smithy/property-provider'),
    ]).then(([providers, property]) => ({
      fromNodeProviderChain: providers.fromNodeProviderChain,
      fromTemporaryCredentials: providers.fromTemporaryCredentials,
      memoize: property.memoize,
    }));
    credentialLibraries.catch(() => (credentialLibraries = undefined));
  }
  return credentialLibraries;
}

function expiresSoon(credentials: AwsCredentialIdentity): boolean {
  return (
    credentials.expiration !== undefined &&
    credentials.expiration.getTime() - Date.now() < CREDENTIAL_REFRESH_MARGIN_MS
  );
}

function hasExpiry(credentials: AwsCredentialIdentity): boolean {
  return credentials.expiration !== undefined;
}

function abortError(): Error {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}

function assumeRoleFailure(err: unknown, roleArn: string, accountId: string): AwsCallError {
  const name = (err as { name?: string })?.name ?? 'Error';
  if (
    /AccessDenied/i.test(name) ||
    (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 403
  ) {
    return new AwsCallError(
      'assume-role-denied',
      'sts:AssumeRole',
      accountId,
      `Could not assume ${roleArn}. Likely causes: the role does not exist in account ${accountId} (deploy the member ` +
        `role there: the StackSet or the member-role stack); its trust policy does not trust this server's execution ` +
        `role; or the execution role may not assume it (the account is missing from memberAccountIds / the ` +
        `organization condition).`,
      name,
    );
  }
  return classifyAwsError(err, 'sts:AssumeRole', accountId);
}
