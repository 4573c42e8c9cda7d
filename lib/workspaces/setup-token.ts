import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env, type Env } from "../config/env";
import { constantTimeEqual } from "../crypto/constant-time";

/**
 * The one-time set-up token: a fresh instance cannot be taken over by whoever reaches /setup first from the network.
 * SETUP_TOKEN when the operator sets it (several web processes need the same one), else generated into
 * DATA_DIR/setup-token on first start and printed to the server's console with the set-up URL. It is only good until
 * the first workspace exists; then the file is removed. (The CLI's `setup` needs no token: a shell on the host is
 * trusted already.)
 */
export function setupTokenFile(e: Env = env()): string {
  return path.join(e.DATA_DIR, "setup-token");
}

export function ensureSetupToken(e: Env = env()): string {
  if (e.SETUP_TOKEN) return e.SETUP_TOKEN;
  const file = setupTokenFile(e);
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    const token = randomBytes(18).toString("base64url");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, token, { mode: 0o600 });
    return token;
  }
}

export function checkSetupToken(given: string, e: Env = env()): boolean {
  const expected = e.SETUP_TOKEN ?? (fs.existsSync(setupTokenFile(e)) ? fs.readFileSync(setupTokenFile(e), "utf8").trim() : "");
  if (!expected || !given) return false;
  return constantTimeEqual(given.trim(), expected);
}

export function retireSetupToken(e: Env = env()): void {
  fs.rmSync(setupTokenFile(e), { force: true });
}
