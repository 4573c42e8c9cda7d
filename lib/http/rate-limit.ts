import { env } from "../config/env";
import { AppError } from "../errors";
import { processCache } from "../ttl-cache";

/**
 * Per-API-key token bucket for the send API: SEND_RATE_LIMIT_PER_SECOND sustained, SEND_RATE_LIMIT_BURST at once;
 * past it, 429 `rate_limited` with Retry-After. Kept per process, deliberately: a shared counter would cost a database
 * round trip on the hottest path (the send API runs at the framework's ceiling), and the limit exists to keep one
 * tenant's runaway loop from starving the others on the same process — with N processes a key may reach N × the
 * limit, which the README states. 0 turns it off.
 */
interface Bucket {
  tokens: number;
  at: number;
}

const buckets = () => processCache<string, Bucket>("send-rate-limit", 10 * 60_000);

export function takeSendToken(keyId: string, now = Date.now()): void {
  const { SEND_RATE_LIMIT_PER_SECOND: rate, SEND_RATE_LIMIT_BURST: burst } = env();
  if (rate <= 0) return;
  const capacity = Math.max(burst, 1);
  const bucket = buckets().get(keyId, now) ?? { tokens: capacity, at: now };
  bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
  bucket.at = now;
  if (bucket.tokens < 1) {
    buckets().set(keyId, bucket, now);
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
    throw new AppError("rate_limited", `This API key sends more than ${rate} requests per second; retry after ${retryAfterSeconds} s`, {
      retry_after_seconds: retryAfterSeconds,
    });
  }
  bucket.tokens -= 1;
  buckets().set(keyId, bucket, now);
}
