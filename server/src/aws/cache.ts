import { LRUCache } from 'lru-cache';

/** A cached AWS answer and when it was fetched. */
export interface CachedAnswer {
  readonly value: unknown;
  readonly fetchedAt: number;
}

/**
 * The answer cache: an LRU with a TTL over AWS responses, keyed by account, region, operation and the normalised
 * request, plus the in-flight map through which concurrent identical requests share one AWS call.
 */
export class AnswerCache {
  private readonly lru: LRUCache<string, CachedAnswer> | undefined;
  private readonly inFlight = new Map<string, Promise<CachedAnswer>>();

  constructor(ttlSeconds: number, maxEntries: number, now: () => number = Date.now) {
    // ttl 0 turns caching off; in-flight sharing stays on because it never serves stale data.
    this.lru =
      ttlSeconds > 0
        ? new LRUCache<string, CachedAnswer>({
            max: maxEntries,
            ttl: ttlSeconds * 1000,
            ttlAutopurge: false,
            perf: { now },
          })
        : undefined;
  }

  get(key: string): CachedAnswer | undefined {
    return this.lru?.get(key);
  }

  /** Runs `fetch` unless an identical request is already in flight, and stores what it returns. */
  async share(
    key: string,
    fetch: () => Promise<unknown>,
    now: () => number,
  ): Promise<CachedAnswer & { shared: boolean }> {
    const pending = this.inFlight.get(key);
    if (pending) return { ...(await pending), shared: true };
    const promise = fetch().then((value) => {
      const answer = { value, fetchedAt: now() };
      this.lru?.set(key, answer);
      return answer;
    });
    this.inFlight.set(key, promise);
    try {
      return { ...(await promise), shared: false };
    } finally {
      this.inFlight.delete(key);
    }
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}

/** JSON with object keys sorted and undefined dropped, so equivalent requests produce the same cache key. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}
