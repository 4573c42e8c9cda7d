import { randomBytes } from "node:crypto";

/**
 * Opaque ids with a type prefix (`msg_…`, design.md API conventions). The body is a ULID-style 26-character
 * Crockford base32 string: 48 bits of milliseconds then 80 random bits, so ids sort by creation time and serve as
 * stable cursors. Twenty lines here rather than a dependency, because we also want the prefix and nothing else.
 */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** Random bytes drawn from a pooled buffer: one randomBytes call per 256 ids instead of one per id. */
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = POOL_SIZE;
function randomByte(): number {
  if (offset >= pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  return pool[offset++]!;
}

/** `tst`: the ids a provider test email carries (never a stored row, so its webhooks stay orphans). */
export type IdPrefix = "ws" | "usr" | "key" | "prv" | "msg" | "rcp" | "att" | "evt" | "call" | "tst" | "inv" | "act" | "whr";

/** The time part of the last id: a request minting 100 recipient ids encodes its millisecond once, not 100 times. */
let lastMs = -1;
let lastTime = "";

export function newId(prefix: IdPrefix, now = Date.now()): string {
  if (now !== lastMs) {
    let time = "";
    let t = now;
    for (let i = 0; i < 10; i++) {
      time = ALPHABET[t % 32] + time;
      t = Math.floor(t / 32);
    }
    lastMs = now;
    lastTime = time;
  }
  const time = lastTime;
  let rand = "";
  for (let i = 0; i < 16; i++) rand += ALPHABET[randomByte() & 31];
  return `${prefix}_${time}${rand}`;
}

/** A URL-safe random secret of the given byte length. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}
