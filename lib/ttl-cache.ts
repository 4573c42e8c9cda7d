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

interface RegisteredCache {
  cache: TtlCache<unknown, unknown>;
  workspaceOf?: (value: unknown, key: unknown) => string;
}

const registry = () => {
  const g = globalThis as unknown as { __pmCaches?: Map<string, RegisteredCache> };
  return (g.__pmCaches ??= new Map());
};

/**
 * Caches live on globalThis: Next.js builds route handlers and instrumentation as separate module graphs. A cache
 * that holds per-workspace data names how to find an entry's workspace (`workspaceOf`), so one
 * `invalidateWorkspaceCaches` call after a settings change evicts it everywhere — writers need not know which caches
 * exist (and the modules that own them need not import each other).
 */
export function processCache<K, V>(
  name: string,
  ttlMs: number,
  options: { workspaceOf?: (value: V, key: K) => string; maxEntries?: number } = {},
): TtlCache<K, V> {
  let entry = registry().get(name);
  if (!entry) {
    entry = { cache: new TtlCache<K, V>(ttlMs, options.maxEntries) as TtlCache<unknown, unknown>, workspaceOf: options.workspaceOf as RegisteredCache["workspaceOf"] };
    registry().set(name, entry);
  }
  return entry.cache as TtlCache<K, V>;
}

/** Evicts one workspace's entries from every per-workspace cache in this process (other processes follow within their TTLs). */
export function invalidateWorkspaceCaches(workspaceId: string): void {
  for (const { cache, workspaceOf } of registry().values()) {
    if (workspaceOf) cache.deleteWhere((value: unknown, key: unknown) => workspaceOf(value, key) === workspaceId);
  }
}
