import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Logger } from '../log';
import { describeError } from '../log';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** DynamoDB's item size limit: attribute names and values together. */
export const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024;
// The key, the attribute names and the two numbers take well under this; the rest of an item is the answer.
const ITEM_OVERHEAD_BYTES = 1024;
/** Bump when the stored format changes: old items are then simply never read again (and expire by TTL). */
const FORMAT = 'v1';

/** An answer read from the table. */
export interface SharedHit {
  readonly value: unknown;
  /** When the answer was fetched from AWS (epoch ms), by whichever process fetched it. */
  readonly fetchedAt: number;
  /** When it stops being served (epoch ms): the TTL counts from the fetch, not from this read. */
  readonly expiresAt: number;
}

/** Options of {@link SharedCache}. */
export interface SharedCacheOptions {
  /** The table: partition key string `key`, TTL attribute number `expires_at` (epoch seconds). */
  readonly tableName: string;
  /** The table's region (the runtime's own). */
  readonly region: string;
  readonly log: Logger;
  /** The clock (epoch ms). */
  readonly now?: () => number;
  /**
   * How long a read may take before the caller asks AWS instead.
   * @default 1000
   */
  readonly readTimeoutMs?: number;
  /**
   * After a failed read or write the table is left alone this long: a missing or throttled table then costs one
   * timeout per interval, not one per call.
   * @default 60000
   */
  readonly retryAfterMs?: number;
  /**
   * Extra DynamoDB client configuration (tests: credentials).
   * @default - the standard configuration: default credential chain, AWS_ENDPOINT_URL(_DYNAMODB)
   */
  readonly clientConfig?: Readonly<Record<string, unknown>>;
}

/** What the shared tier did since start-up, for logs and tests. */
export interface SharedCacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Answers not shared because they were over the item size limit once compressed. */
  oversized: number;
  /** Reads and writes that failed or timed out (each fell back: the tool never saw it). */
  failures: number;
  /** Reads and writes skipped because the table failed within the last `retryAfterMs`. */
  skipped: number;
}

type Dynamo = typeof import('@aws-sdk/client-dynamodb');
interface DynamoModule {
  readonly client: InstanceType<Dynamo['DynamoDBClient']>;
  readonly GetItemCommand: Dynamo['GetItemCommand'];
  readonly PutItemCommand: Dynamo['PutItemCommand'];
}

/**
 * The key of one answer in the shared table. The account and operation stay readable (an operator looking at the
 * table sees whose answers it holds); the request and the caller's scope are hashed, because a Cost Explorer
 * filter can exceed DynamoDB's 2 KB partition-key limit and the scope is nobody's business in a key.
 *
 * @param requestKey the in-process cache key (account, region, operation and the normalised request)
 * @param scope the caller's effective scope, where scopes exist: answers fetched for one scope are never served to
 *   another. Undefined (no scopes configured) is its own value, distinct from every named scope.
 */
export function sharedCacheKey(
  accountId: string,
  operation: string,
  requestKey: string,
  scope?: string,
): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([scope ?? null, requestKey]))
    .digest('base64url');
  return `${FORMAT}#${accountId}#${operation}#${digest}`;
}

/**
 * The second cache tier: a DynamoDB table that every session (every AgentCore microVM) reads and writes, so an
 * answer one session paid for serves the others until its TTL. Answers are stored gzip-compressed JSON (Dates kept
 * as Dates). It never fails a caller: a read that errs or takes longer than `readTimeoutMs` is a miss; a write is
 * started and not awaited; a failure is logged once and the table is then skipped for `retryAfterMs`.
 */
export class SharedCache {
  readonly stats: SharedCacheStats = { hits: 0, misses: 0, writes: 0, oversized: 0, failures: 0, skipped: 0 };
  private readonly now: () => number;
  private readonly readTimeoutMs: number;
  private readonly retryAfterMs: number;
  private module: Promise<DynamoModule> | undefined;
  private skipUntil = 0;
  private failing = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: SharedCacheOptions) {
    this.now = options.now ?? Date.now;
    this.readTimeoutMs = options.readTimeoutMs ?? 1_000;
    this.retryAfterMs = options.retryAfterMs ?? 60_000;
  }

  /** The stored answer for `key`, or undefined (absent, expired, unreadable, or the table is not answering). */
  async get(key: string, signal?: AbortSignal): Promise<SharedHit | undefined> {
    if (this.skipping()) return undefined;
    try {
      const { client, GetItemCommand } = await this.dynamo();
      const timeout = AbortSignal.timeout(this.readTimeoutMs);
      const out = await client.send(
        new GetItemCommand({ TableName: this.options.tableName, Key: { key: { S: key } } }),
        { abortSignal: signal ? AbortSignal.any([signal, timeout]) : timeout },
      );
      this.recovered();
      const item = out.Item;
      const expiresAt = Number(item?.expires_at?.N) * 1000;
      const fetchedAt = Number(item?.fetched_at?.N);
      // DynamoDB deletes expired items lazily (within days), so the expiry is checked here.
      if (!item?.value?.B || !(expiresAt > this.now()) || !Number.isFinite(fetchedAt)) {
        this.stats.misses++;
        return undefined;
      }
      const value = JSON.parse((await gunzipAsync(item.value.B)).toString('utf8'), revive) as unknown;
      this.stats.hits++;
      return { value, fetchedAt, expiresAt };
    } catch (err) {
      // The caller's own deadline is not the table's fault.
      if (signal?.aborted) return undefined;
      this.failed('GetItem', err);
      return undefined;
    }
  }

  /**
   * Stores `value` until `expiresAt` (epoch ms), in the background: the answer never waits for the table. An
   * answer over DynamoDB's item size limit once compressed is not shared.
   */
  put(key: string, value: unknown, fetchedAt: number, expiresAt: number): void {
    if (this.skipping()) return;
    const write = (async () => {
      try {
        const body = await gzipAsync(Buffer.from(JSON.stringify(value, preserveDates), 'utf8'));
        if (body.byteLength + ITEM_OVERHEAD_BYTES > DYNAMODB_ITEM_LIMIT_BYTES) {
          this.stats.oversized++;
          this.options.log.debug('answer too large to share', { bytes: body.byteLength });
          return;
        }
        const { client, PutItemCommand } = await this.dynamo();
        await client.send(
          new PutItemCommand({
            TableName: this.options.tableName,
            Item: {
              key: { S: key },
              value: { B: body },
              fetched_at: { N: String(fetchedAt) },
              expires_at: { N: String(Math.ceil(expiresAt / 1000)) },
            },
          }),
          { abortSignal: AbortSignal.timeout(Math.max(this.readTimeoutMs, 5_000)) },
        );
        this.stats.writes++;
        this.recovered();
      } catch (err) {
        this.failed('PutItem', err);
      }
    })();
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  /** Waits for the writes started so far (tests; a graceful shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private skipping(): boolean {
    if (this.now() < this.skipUntil) {
      this.stats.skipped++;
      return true;
    }
    return false;
  }

  private failed(operation: string, err: unknown): void {
    this.stats.failures++;
    this.skipUntil = this.now() + this.retryAfterMs;
    if (this.failing) return;
    this.failing = true;
    this.options.log.warn('shared cache unavailable; answering from AWS', {
      table: this.options.tableName,
      operation: `dynamodb:${operation}`,
      retryAfterSeconds: this.retryAfterMs / 1000,
      ...describeError(err),
    });
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.options.log.info('shared cache available again', { table: this.options.tableName });
  }

  // Loaded on first use, like the other SDK clients: a cold microVM answers `initialize` without it.
  private dynamo(): Promise<DynamoModule> {
    if (!this.module) {
      const loading: Promise<DynamoModule> = import('@aws-sdk/client-dynamodb').then((m) => ({
        client: new m.DynamoDBClient({
          region: this.options.region,
          // A throttled or failing table is not retried: AWS itself is the fallback, and waiting is what the
          // cache exists to avoid.
          maxAttempts: 1,
          requestHandler: { connectionTimeout: this.readTimeoutMs, requestTimeout: 5_000 },
          ...this.options.clientConfig,
        }),
        GetItemCommand: m.GetItemCommand,
        PutItemCommand: m.PutItemCommand,
      }));
      loading.catch(() => (this.module = undefined));
      this.module = loading;
    }
    return this.module;
  }
}

// JSON has no Date; SDK answers carry some (Compute Optimizer, Budgets). `this[key]` is the value before toJSON.
function preserveDates(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? { $date: raw.toISOString() } : value;
}

function revive(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const date = (value as { $date?: unknown }).$date;
    if (keys.length === 1 && typeof date === 'string') return new Date(date);
  }
  return value;
}
