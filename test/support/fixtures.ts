import type { Database } from "@/db";
import { createWorkspaceWithOwner } from "@/lib/workspaces/setup-workspace";
import { createApiKey } from "@/lib/auth/api-keys";
import type { ApiKeyScope } from "@/db/schema";
import type { ServiceContext } from "@/lib/auth/context";

let counter = 0;

/** A workspace with an owner and a full-scope API key. */
export async function workspaceFixture(database: Database, name = `ws-${++counter}-${Date.now().toString(36)}`, scope: ApiKeyScope = "full") {
  const { workspace, user } = await createWorkspaceWithOwner(database, { workspace: name, email: `${name}@example.test`, password: "correct horse battery" });
  const ctx: ServiceContext = { database, workspaceId: workspace.id, actor: { type: "system" } };
  const key = await createApiKey(ctx, { name: "test", scope });
  return { workspace, user, ctx, key: key.key, keyId: key.id };
}

export function bearer(key: string, init: RequestInit & { url?: string } = {}): Request {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${key}`);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  return new Request(init.url ?? "http://localhost/api/v1/test", { ...init, headers });
}
