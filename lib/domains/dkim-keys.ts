import { generateKeyPairSync, randomUUID } from "node:crypto";
import { domainDkimKeys } from "@/db/schema";
import type { DbOrTx } from "@/db";
import { encryptionKey } from "../crypto/instance-keys";
import { encryptJson } from "../crypto/secrets";
import { AppError } from "../errors";

/** The AAD of a generated key: bound to its workspace, domain and selector (lib/crypto/secrets.ts). */
export const dkimKeyContext = (workspaceId: string, domain: string, selector: string) => `${workspaceId}:dkim:${domain}:${selector}`;

/**
 * A DKIM key pair for an SMTP relay's domain: RSA 2048 (RFC 8301: at least 1024, 2048 recommended; its TXT value is
 * ~400 bytes, so it spans two 255-byte strings). The private key is stored only encrypted; the public key is the
 * record to publish. A selector already used for this domain is a conflict (publishing over a live key would break
 * mail signed with it).
 */
export async function generateDkimKey(db: DbOrTx, workspaceId: string, domain: string, selector: string): Promise<{ selector: string; publicRecord: string }> {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const spki = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  const publicRecord = `v=DKIM1; k=rsa; p=${spki}`;
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const inserted = await db
    .insert(domainDkimKeys)
    .values({
      id: randomUUID(),
      workspaceId,
      domain,
      selector,
      publicRecord,
      privateKeyEncrypted: encryptJson({ private_key: pem }, encryptionKey(), dkimKeyContext(workspaceId, domain, selector)),
    })
    .onConflictDoNothing()
    .returning({ id: domainDkimKeys.id });
  if (!inserted.length) {
    throw new AppError("conflict", `A DKIM key with selector "${selector}" already exists for ${domain}; choose another selector`, {
      fields: [{ field: "smtp.generate_dkim_key.selector", code: "conflict", message: "already used for this domain" }],
    });
  }
  return { selector, publicRecord };
}
