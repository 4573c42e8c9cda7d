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

/**
 * Accounts and client addresses are counted apart, each in a large cache: a flood of attempts from made-up client
 * addresses (X-Forwarded-For is only as trustworthy as the proxy in front) cannot evict an account's counter.
 */
const failures = (kind: "account" | "client") => processCache<string, Failures>(`sign-in-failures-${kind}`, WINDOW_MS, { maxEntries: 200_000 });

let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(randomBytes(16).toString("hex")));

export async function checkSignIn(
  database: Database,
  input: { email: string; password: string; client?: string | null; now?: number },
): Promise<SignInResult> {
  const now = input.now ?? Date.now();
  const email = input.email.trim().toLowerCase();
  const keys = [{ kind: "account" as const, key: email, max: MAX_FAILURES_PER_ACCOUNT }, ...(input.client ? [{ kind: "client" as const, key: input.client, max: MAX_FAILURES_PER_CLIENT }] : [])];
  for (const { kind, key, max } of keys) {
    const seen = failures(kind).get(key, now);
    if (seen && seen.count >= max) return { ok: false, reason: "throttled", retryAfterSeconds: Math.ceil((seen.firstAt + WINDOW_MS - now) / 1000) };
  }
  // Counted before the (slow) password check, so parallel guesses cannot all slip in under the limit; a success
  // clears the account's count.
  for (const { kind, key } of keys) {
    const seen = failures(kind).get(key, now);
    // The window runs from the first failure: the entry's time-to-live is set then and not extended.
    if (seen) seen.count++;
    else failures(kind).set(key, { count: 1, firstAt: now }, now);
  }
  const [user] = await database.db.select().from(users).where(eq(users.email, email)).limit(1);
  const matches = await verifyPassword(input.password, user?.passwordHash ?? (await dummy()));
  if (user && matches) {
    failures("account").delete(email);
    return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
  }
  return { ok: false, reason: "invalid" };
}
