import { LRUCache } from 'lru-cache';

/** A cached AWS answer and when it was fetched. */
export interface CachedAnswer {
  readonly value: unknown;
  readonly fetchedAt: number;
}

/** What a fetch behind the cache produced: the answer, where it came from and, if not now, when it was fetched. */
export interface FetchedAnswer {
  readonly value: unknown;
  /** `aws`: a request this process made; `shared`: read from the shared table (another session paid for it). */
  readonly origin: 'aws' | 'shared';
  /** When it was fetched from AWS (epoch ms); defaults to now. */
  readonly fetchedAt?: number;
  /** How long it may still be served (ms), when less than the TTL: an answer from the shared table ages there. */
  readonly ttlMs?: number;
}

/** How a shared fetch ended for one caller. */
export interface SharedAnswer extends CachedAnswer {
  /** True when this caller joined a request another caller had already started (no AWS request of its own). */
  readonly shared: boolean;
  readonly origin: FetchedAnswer['origin'];
}

/**
 * The answer cache: an LRU with a TTL over AWS responses, keyed by account, region, operation and the normalised
 * request, plus the in-flight map through which concurrent identical requests share one AWS call. Only answers
 * are stored: a failed request is forgotten at once, so the next caller tries again.
 */
export class AnswerCache {
  private readonly lru: LRUCache<string, CachedAnswer> | undefined;
  private readonly inFlight = new Map<string, Promise<CachedAnswer & { origin: FetchedAnswer['origin'] }>>();
  private readonly ttlMs: number;

  constructor(
    ttlSeconds: number,
    maxEntries: number,
    private readonly now: () => number = Date.now,
    maxBytes = 32 * 1024 * 1024,
  ) {
    this.ttlMs = ttlSeconds * 1000;
    // ttl 0 turns caching off; in-flight sharing stays on because it never serves stale data.
    this.lru =
      ttlSeconds > 0
        ? new LRUCache<string, CachedAnswer>({
            max: maxEntries,
            // Bounded by memory as well as count: one DAILY answer grouped by two keys can be megabytes. Each entry
            // counts what it holds on the heap (the answer's objects, its key, the bookkeeping), so the budget is
            // the memory the cache may take; an answer larger than the whole budget is simply not stored.
            maxSize: maxBytes,
            sizeCalculation: (answer, key) => entryBytes(key, answer.value),
            ttl: ttlSeconds * 1000,
            ttlAutopurge: false,
            // lru-cache's default 1 ms resolution memoises the clock behind a timer per lookup; reading our clock
            // directly is cheaper and lets a fake clock expire entries deterministically.
            ttlResolution: 0,
            perf: { now },
          })
        : undefined;
  }

  /** The stored answer for `key`, unless it is missing or older than the TTL. */
  get(key: string): CachedAnswer | undefined {
    return this.lru?.get(key);
  }

  /**
   * Runs `fetch` unless an identical request is already in flight (then waits for that one), and stores what it
   * returns. A waiter stops waiting when its own `signal` fires; the request it joined carries on for the others.
   */
  async share(key: string, fetch: () => Promise<unknown>, signal?: AbortSignal): Promise<SharedAnswer> {
    return this.shareFetched(key, async () => ({ value: await fetch(), origin: 'aws' }), signal);
  }

  /** {@link share} for a fetch that may come from the shared tier, with its own fetch time and remaining TTL. */
  async shareFetched(
    key: string,
    fetch: () => Promise<FetchedAnswer>,
    signal?: AbortSignal,
  ): Promise<SharedAnswer> {
    const pending = this.inFlight.get(key);
    if (pending) {
      const answer = await abortable(pending, signal).catch((err: unknown) => {
        throw signal?.aborted ? err : new SharedRequestFailed(err);
      });
      return { ...answer, shared: true };
    }
    const promise = fetch().then((fetched) => {
      const answer = { value: fetched.value, fetchedAt: fetched.fetchedAt ?? this.now() };
      if (fetched.ttlMs === undefined) this.lru?.set(key, answer);
      else if (fetched.ttlMs > 0) this.lru?.set(key, answer, { ttl: Math.min(fetched.ttlMs, this.ttlMs) });
      return { ...answer, origin: fetched.origin };
    });
    this.inFlight.set(key, promise);
    try {
      return { ...(await promise), shared: false };
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Entries currently stored (expired ones may still count until they are next looked up). */
  get size(): number {
    return this.lru?.size ?? 0;
  }

  /** Estimated heap bytes of the stored entries, as counted against the budget. */
  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }
}

// V8 on 64-bit Node (8-byte fields, no pointer compression in Node's builds); measured against heap snapshots of
// cached Cost Explorer answers and checked in test/server/cache.test.ts against the real heap growth.
const WORD = 8;
/** A plain object: map, properties and elements pointers, and at least the 4 in-object fields `{}` reserves. */
const OBJECT_HEADER = 3 * WORD;
const MIN_OBJECT_FIELDS = 4;
/** An array: the JSArray (map, properties, elements, length) plus its element store's map and length. */
const ARRAY_HEADER = 4 * WORD + 2 * WORD;
/** A sequential string: map, hash and length before its characters. */
const STRING_HEADER = 2 * WORD;
/** A boxed double (numbers that are not small integers). */
const HEAP_NUMBER = 2 * WORD;
/** A Date: the object plus its cached date fields. */
const DATE_BYTES = 10 * WORD;
/**
 * Per entry, besides the answer and the key's characters: the {value, fetchedAt} record and its boxed time,
 * lru-cache's slots (key map entry, key and value lists, links, TTL start and length, size), and the concatenated
 * string the key was built as, which keeps pointing at its flattened copy.
 */
const ENTRY_OVERHEAD = 7 * WORD + HEAP_NUMBER + 12 * WORD + 4 * WORD;
/** Beyond this depth an answer is not walked further (AWS answers are a few levels deep; this only stops cycles). */
const MAX_DEPTH = 64;
/** A character beyond Latin-1, which makes V8 store the whole string with two bytes per character. */
const TWO_BYTE = /[\u0100-\uffff]/;

/** Heap bytes one cache entry holds: its key, its answer and the cache's own bookkeeping. */
export function entryBytes(key: string, value: unknown): number {
  return ENTRY_OVERHEAD + stringBytes(key) + heapBytes(value);
}

/**
 * Estimated bytes `value` occupies on the V8 heap, for the JSON-like data AWS SDK calls answer with (plain objects,
 * arrays, strings, numbers, booleans, Dates, byte arrays). Property names are not counted: V8 shares them between all
 * objects of one shape. Objects reached twice are counted twice, which errs on the side of a smaller cache.
 */
export function heapBytes(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'number':
      return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 0 : HEAP_NUMBER;
    case 'bigint':
      return 2 * WORD + WORD * Math.ceil(value.toString(16).length / 16); // header, then 64-bit digits
    case 'object':
      break;
    default:
      return 0; // booleans, undefined and symbols are shared constants
  }
  if (value === null || depth > MAX_DEPTH) return 0;
  if (Array.isArray(value)) {
    let bytes = ARRAY_HEADER + WORD * value.length;
    for (const item of value) bytes += heapBytes(item, depth + 1);
    return bytes;
  }
  if (value instanceof Date) return DATE_BYTES;
  if (ArrayBuffer.isView(value)) return OBJECT_HEADER + 8 * WORD + value.byteLength;
  let fields = 0;
  let bytes = 0;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    fields++;
    bytes += heapBytes((value as Record<string, unknown>)[key], depth + 1);
  }
  // Fields beyond the in-object ones live in a separate property array (its own map and length).
  const outOfObject = fields > MIN_OBJECT_FIELDS ? 2 * WORD : 0;
  return bytes + OBJECT_HEADER + WORD * Math.max(MIN_OBJECT_FIELDS, fields) + outOfObject;
}

function stringBytes(s: string): number {
  const chars = TWO_BYTE.test(s) ? 2 * s.length : s.length;
  return STRING_HEADER + WORD * Math.ceil(chars / WORD);
}

/** The in-flight request a caller joined failed (possibly for a reason of the caller that started it). */
export class SharedRequestFailed extends Error {
  constructor(readonly cause: unknown) {
    super('A shared in-flight request failed');
    this.name = 'SharedRequestFailed';
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Cost Explorer request fields whose array order carries no meaning: the clauses of an And/Or expression, the
 * values of a Dimensions/Tags/CostCategories match, and the requested Metrics (answered as a map keyed by metric).
 * GroupBy is deliberately absent: its order decides the order of each group's Keys in the answer.
 */
const UNORDERED_CE_ARRAYS = new Set(['And', 'Or', 'Values', 'Metrics', 'MatchOptions']);

/**
 * The cache key of one request: account, region, operation and the request as stable JSON (object keys sorted,
 * undefined dropped). For Cost Explorer, arrays whose order is meaningless are sorted too, so a filter written
 * in a different order, or the same values listed twice, hits the same entry. Named periods are already
 * resolved to dates in the request, so "last_month" and its explicit dates share an entry.
 */
export function cacheKey(accountId: string, region: string, operation: string, input: unknown): string {
  const unordered = operation.startsWith('ce:') ? UNORDERED_CE_ARRAYS : undefined;
  return `${accountId}|${region}|${operation}|${stableStringify(input, unordered)}`;
}

/**
 * JSON with object keys sorted and undefined dropped, so equivalent requests produce the same text. Arrays under a
 * key in `unordered` are also sorted and de-duplicated (by their own stable text).
 */
export function stableStringify(value: unknown, unordered?: ReadonlySet<string>, parentKey?: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    const items = value.map((v) => stableStringify(v, unordered));
    const canonical =
      parentKey !== undefined && unordered?.has(parentKey) ? [...new Set(items)].sort() : items;
    return `[${canonical.join(',')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v, unordered, k)}`).join(',')}}`;
}
