import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for provider credentials at rest. Format: "v1." + base64url(iv ‖ tag ‖ ciphertext). The context
 * (e.g. "prv_…:postmark") is bound as additional authenticated data, so a ciphertext copied onto another row fails
 * to decrypt instead of handing one workspace another's credentials.
 */
const VERSION = "v1";
const IV_BYTES = 12; // NIST SP 800-38D recommended GCM nonce size
const TAG_BYTES = 16;

export class SecretDecryptionError extends Error {
  override name = "SecretDecryptionError";
}

export function encryptSecret(plaintext: string, key: Buffer, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
}

export function decryptSecret(ciphertext: string, key: Buffer, context: string): string {
  const [version, payload] = ciphertext.split(".", 2);
  if (version !== VERSION || !payload) throw new SecretDecryptionError("Unknown secret format");
  const raw = Buffer.from(payload, "base64url");
  const iv = raw.subarray(0, IV_BYTES);
  const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const body = raw.subarray(IV_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError("Secret could not be decrypted (wrong APP_ENCRYPTION_KEY, or tampered data)");
  }
}

export function encryptJson(value: Record<string, unknown>, key: Buffer, context: string): string {
  return encryptSecret(JSON.stringify(value), key, context);
}

export function decryptJson<T>(ciphertext: string, key: Buffer, context: string): T {
  return JSON.parse(decryptSecret(ciphertext, key, context)) as T;
}
