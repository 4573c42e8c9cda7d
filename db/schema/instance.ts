import { pgTable, text, integer } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";

/**
 * Facts every process of one installation must agree on (one row, id 1): fingerprints — never the keys — of the
 * secrets that encrypt provider credentials and sign links. A process started with other keys stops at once
 * (lib/crypto/key-fingerprint.ts) instead of writing credentials nobody else can decrypt.
 */
export const instanceKeys = pgTable("instance_keys", {
  id: integer("id").primaryKey(),
  encryptionKeyFingerprint: text("encryption_key_fingerprint").notNull(),
  authSecretFingerprint: text("auth_secret_fingerprint").notNull(),
  createdAt: createdAt(),
});
