import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "@/db";
import { users } from "@/db/schema";
import { hashPassword, verifyPassword } from "../crypto/passwords";
import { processCache } from "../ttl-cache";

/**
 * Password sign-in with two defences:
 * - Throttling: after MAX_FAILURES_PER_ACCOUNT failed attempts on one address (or MAX_FAILURES_PER_CLIENT from one
 *   client address) within WINDOW_MS, further attempts are refused without checking the password until the window
 *   passes. Kept per process (a restart forgets it): it slows online guessing, it is not an account lock-out that an
 *   attacker could use to keep the owner out for long.
 * - Equal cost: an unknown address is checked against a dummy bcrypt hash, so both answers cost one bcrypt compare
 *   and the response time does not tell which accounts exist.
 */
export const MAX_FAILURES_PER_ACCOUNT = 10;
export const MAX_FAILURES_PER_CLIENT = 50;
export const WINDOW_MS = 15 * 60_000;

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

interface Failures {
  count: number;
  firstAt: number;
}

const failures = () => processCache<string, Failures>("sign-in-failures", WINDOW_MS);

let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(randomBytes(16).toString("hex")));

export async function checkSignIn(
  database: Database,
  input: { email: string; password: string; client?: string | null; now?: number },
): Promise<SignInResult> {
  const now = input.now ?? Date.now();
  const email = input.email.trim().toLowerCase();
  const keys = [{ key: `account:${email}`, max: MAX_FAILURES_PER_ACCOUNT }, ...(input.client ? [{ key: `client:${input.client}`, max: MAX_FAILURES_PER_CLIENT }] : [])];
  for (const { key, max } of keys) {
    const seen = failures().get(key, now);
    if (seen && seen.count >= max) return { ok: false, reason: "throttled", retryAfterSeconds: Math.ceil((seen.firstAt + WINDOW_MS - now) / 1000) };
  }
  const [user] = await database.db.select().from(users).where(eq(users.email, email)).limit(1);
  const matches = await verifyPassword(input.password, user?.passwordHash ?? (await dummy()));
  if (user && matches) {
    failures().delete(`account:${email}`);
    return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
  }
  for (const { key } of keys) {
    const seen = failures().get(key, now);
    // The window runs from the first failure: the entry's time-to-live is set then and not extended.
    if (seen) seen.count++;
    else failures().set(key, { count: 1, firstAt: now }, now);
  }
  return { ok: false, reason: "invalid" };
}
