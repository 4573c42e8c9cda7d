import type { ProviderKind } from "../providers/provider-kind";
import type { ProviderAdapter } from "../providers/types";
import type { ProviderConfigs } from "../providers/registry";

export type CreateAdapter = <K extends ProviderKind>(kind: K, config: ProviderConfigs[K]) => ProviderAdapter;

/**
 * One adapter per workspace × provider, kept across rounds so pooled connections (HTTP keep-alive, SMTP pool) are
 * reused; replaced when the stored configuration changes (its updated_at).
 */
export class AdapterPool {
  private readonly adapters = new Map<string, { version: number; adapter: ProviderAdapter }>();
  constructor(private readonly create: CreateAdapter) {}

  get<K extends ProviderKind>(workspaceId: string, kind: K, version: Date, config: () => ProviderConfigs[K]): ProviderAdapter {
    const key = `${workspaceId}:${kind}`;
    const current = this.adapters.get(key);
    if (current && current.version === version.getTime()) return current.adapter;
    if (current) void current.adapter.close().catch(() => {});
    const adapter = this.create(kind, config());
    this.adapters.set(key, { version: version.getTime(), adapter });
    return adapter;
  }

  async closeAll(): Promise<void> {
    const all = [...this.adapters.values()];
    this.adapters.clear();
    await Promise.all(all.map((a) => a.adapter.close().catch(() => {})));
  }
}
