import { sql } from "drizzle-orm";
import { pgTable, text, index, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns";
import { ROLES, users, workspaces } from "./workspaces";

/**
 * Invitations to a workspace (Settings → Members, /api/v1/invitations). The link carries a random 256-bit token;
 * only its SHA-256 is stored (like API keys): a database reader cannot use a pending invitation, and the hash is
 * the lookup key. Single use is the conditional UPDATE of `accepted_at` (lib/workspaces/accept-invitation.ts).
 */
export const invitations = pgTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    /** Stored lower-cased; the account that accepts has exactly this address. */
    email: text("email").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    /** SHA-256 (hex) of the token in the link. */
    tokenHash: text("token_hash").notNull(),
    /** The user (usr_…) or API key (key_…) that invited. */
    invitedBy: text("invited_by"),
    createdAt: createdAt(),
    expiresAt: tstz("expires_at").notNull(),
    acceptedAt: tstz("accepted_at"),
    acceptedBy: text("accepted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: tstz("revoked_at"),
    /** The invitation email (msg_…) when it was sent through the workspace's transactional route. */
    messageId: text("message_id"),
  },
  (t) => [
    uniqueIndex("invitations_token_hash_idx").on(t.tokenHash),
    index("invitations_workspace_idx").on(t.workspaceId, t.createdAt),
    // One open invitation per address and workspace: inviting again replaces it (race-safe through this index).
    uniqueIndex("invitations_open_email_idx").on(t.workspaceId, t.email).where(sql`accepted_at is null and revoked_at is null`),
  ],
);
