import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Database } from "@/db";
import { apiKeys, type ApiKeyScope } from "@/db/schema";
import { newId } from "../ids";
import { notFound } from "../errors";
import { requireRole, type ServiceContext } from "./context";
import { processCache } from "../ttl-cache";

/**
 * API keys: `pm_` + 32 random bytes (base64url). Stored as SHA-256 with an indexed prefix (design.md, Runtime):
 * the prefix finds the row, the hash proves the key. 256 bits of entropy make a slow hash pointless, and a
 * per-request bcrypt would cap the API at a few dozen requests/s.
 */
const KEY_PREFIX = "pm_";
const LOOKUP_CHARS = 12;

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

export interface CreatedApiKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  /** The whole key: shown once, never stored. */
  key: string;
}

export async function createApiKey(ctx: ServiceContext, input: { name: string; scope: ApiKeyScope }): Promise<CreatedApiKey> {
  requireRole(ctx, "admin");
  const key = KEY_PREFIX + randomBytes(32).toString("base64url");
  const row = {
    id: newId("key"),
    workspaceId: ctx.workspaceId,
    name: input.name,
    scope: input.scope,
    prefix: key.slice(0, LOOKUP_CHARS),
    hash: sha256(key),
    createdBy: ctx.actor.type === "user" ? ctx.actor.userId : null,
  };
  await ctx.database.db.insert(apiKeys).values(row);
  return { id: row.id, name: row.name, scope: row.scope, prefix: row.prefix, key };
}

export async function listApiKeys(ctx: ServiceContext) {
  requireRole(ctx, "viewer");
  return ctx.database.db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scope: apiKeys.scope,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.workspaceId, ctx.workspaceId))
    .orderBy(desc(apiKeys.createdAt));
}

export async function revokeApiKey(ctx: ServiceContext, id: string): Promise<void> {
  requireRole(ctx, "admin");
  const updated = await ctx.database.db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.workspaceId, ctx.workspaceId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  if (updated.length === 0) throw notFound("API key");
  verifiedKeys().deleteWhere((principal) => principal.keyId === id);
}

export interface ApiKeyPrincipal {
  workspaceId: string;
  keyId: string;
  scope: ApiKeyScope;
}

/**
 * Verified keys, by the SHA-256 of the key: every API request authenticates, and this saves its database round
 * trip. Revoking evicts in this process at once; another process stops accepting a revoked key within the TTL.
 */
const KEY_CACHE_TTL_MS = 10_000;
const verifiedKeys = () => processCache<string, ApiKeyPrincipal>("api-keys", KEY_CACHE_TTL_MS);

/** Resolves a presented key to its workspace, or null when unknown, malformed or revoked. */
export async function authenticateApiKey(database: Database, presented: string): Promise<ApiKeyPrincipal | null> {
  if (!presented.startsWith(KEY_PREFIX) || presented.length < LOOKUP_CHARS + 8 || presented.length > 200) return null;
  const digest = sha256(presented);
  const cached = verifiedKeys().get(digest);
  if (cached) return cached;
  const principal = await lookupApiKey(database, presented, digest);
  if (principal) verifiedKeys().set(digest, principal);
  return principal;
}

async function lookupApiKey(database: Database, presented: string, digest: string): Promise<ApiKeyPrincipal | null> {
  const [row] = await database.db
    .select({ id: apiKeys.id, workspaceId: apiKeys.workspaceId, hash: apiKeys.hash, scope: apiKeys.scope, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.prefix, presented.slice(0, LOOKUP_CHARS)))
    .limit(1);
  if (!row || row.revokedAt) return null;
  const a = Buffer.from(digest, "hex");
  const b = Buffer.from(row.hash, "hex");
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  return { workspaceId: row.workspaceId, keyId: row.id, scope: row.scope };
}
