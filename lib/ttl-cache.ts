/**
 * A small in-process cache with a time-to-live and a size bound, for read-mostly lookups on hot paths (API keys,
 * a workspace's send configuration, webhook credentials). Writers in this process evict at once; other processes
 * see a change within the TTL. Hand-written rather than a dependency: Map insertion order already gives the LRU-ish
 * eviction this needs, in a dozen lines.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: K, now = Date.now()): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: K, value: V, now = Date.now()): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { value, expires: now + this.ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Evicts every entry whose value matches (e.g. all cached keys of one workspace). */
  deleteWhere(match: (value: V, key: K) => boolean): void {
    for (const [key, entry] of this.entries) if (match(entry.value, key)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Caches live on globalThis: Next.js builds route handlers and instrumentation as separate module graphs. */
export function processCache<K, V>(name: string, ttlMs: number): TtlCache<K, V> {
  const g = globalThis as unknown as { __pmCaches?: Map<string, TtlCache<unknown, unknown>> };
  g.__pmCaches ??= new Map();
  let cache = g.__pmCaches.get(name) as TtlCache<K, V> | undefined;
  if (!cache) {
    cache = new TtlCache<K, V>(ttlMs);
    g.__pmCaches.set(name, cache as TtlCache<unknown, unknown>);
  }
  return cache;
}
