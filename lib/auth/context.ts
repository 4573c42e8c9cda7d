import type { Database } from "@/db";
import type { Role, ApiKeyScope } from "@/db/schema";
import { forbidden } from "../errors";
import { ROLE_RANK } from "./roles";

export type Actor = { type: "user"; userId: string; role: Role } | { type: "api_key"; keyId: string; scope: ApiKeyScope } | { type: "system" };

/** What every service function takes: the database, the workspace every query is scoped to, and who acts. */
export interface ServiceContext {
  database: Database;
  workspaceId: string;
  actor: Actor;
}


/**
 * Users need at least `role`. API keys act as a role: a full-scope key as an admin (it configures the workspace), a
 * send-scope key as a member (it sends and reads its emails, nothing more).
 */
const KEY_ROLE: Record<ApiKeyScope, Role> = { full: "admin", send: "member" };

/** The role an actor acts with: a user's own, a key's as above, the system (CLI, tests) as an owner. */
export function actorRole(ctx: ServiceContext): Role {
  const a = ctx.actor;
  return a.type === "user" ? a.role : a.type === "api_key" ? KEY_ROLE[a.scope] : "owner";
}

export function requireRole(ctx: ServiceContext, role: Role): void {
  const a = ctx.actor;
  if (a.type === "system") return;
  if (a.type === "api_key") {
    if (ROLE_RANK[KEY_ROLE[a.scope]] < ROLE_RANK[role]) throw forbidden("This API key has the send scope only; this endpoint needs a full-scope key");
    return;
  }
  if (ROLE_RANK[a.role] < ROLE_RANK[role]) throw forbidden(`This action needs the ${role} role or higher`);
}
