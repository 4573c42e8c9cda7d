import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Constant-time string equality. timingSafeEqual needs equal-length buffers, so both sides are hashed first:
 * the comparison then leaks neither the content nor the length of the secret.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const digestA = createHash("sha256").update(a, "utf8").digest();
  const digestB = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(digestA, digestB);
}
