import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { decodeKey, env, type Env } from "../config/env";
import { logger } from "../logger";

/**
 * Keys this instance needs: the secrets key (APP_ENCRYPTION_KEY) and the session/link-signing secret
 * (NEXTAUTH_SECRET). Set them in production. When unset, one is generated into DATA_DIR on first start with a
 * warning, so `npm install && npm start` works on a fresh machine and restarts keep decrypting what they stored.
 */
function loadOrCreate(e: Env, file: string, variable: string): Buffer {
  const fullPath = path.resolve(e.DATA_DIR, file);
  if (fs.existsSync(fullPath)) return Buffer.from(fs.readFileSync(fullPath, "utf8").trim(), "hex");
  fs.mkdirSync(path.dirname(fullPath), { recursive: true });
  const key = randomBytes(32);
  try {
    fs.writeFileSync(fullPath, key.toString("hex"), { flag: "wx", mode: 0o600 });
    logger.warn(
      `${variable} is not set: generated one into ${fullPath}. Set ${variable} in production and keep it safe; ` +
        `with PostgreSQL and several processes (npm run worker), every process needs the same value.`,
    );
    return key;
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return Buffer.from(fs.readFileSync(fullPath, "utf8").trim(), "hex");
    throw err;
  }
}

const cache = globalThis as unknown as { __pmKeys?: { encryption?: Buffer; auth?: string } };

export function encryptionKey(e: Env = env()): Buffer {
  cache.__pmKeys ??= {};
  cache.__pmKeys.encryption ??= e.APP_ENCRYPTION_KEY ? decodeKey(e.APP_ENCRYPTION_KEY)! : loadOrCreate(e, "encryption.key", "APP_ENCRYPTION_KEY");
  return cache.__pmKeys.encryption;
}

export function authSecret(e: Env = env()): string {
  cache.__pmKeys ??= {};
  cache.__pmKeys.auth ??= e.NEXTAUTH_SECRET ?? loadOrCreate(e, "auth.secret", "NEXTAUTH_SECRET").toString("hex");
  return cache.__pmKeys.auth;
}
