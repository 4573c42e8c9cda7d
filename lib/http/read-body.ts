import { AppError } from "../errors";
import { findUnstorable, MAX_JSON_DEPTH } from "../validation";
import { env } from "../config/env";

/**
 * Reads a JSON body, enforcing the size limit on the bytes actually read: Content-Length is checked first as a
 * fast path, but a chunked or lying request is cut off as soon as it passes the limit. `accept` lists the media types
 * the body may be declared as (JSON by default, `+json` types included; some ESPs post JSON as text/plain); a request
 * without a Content-Type is read.
 */
export async function readJsonBody(request: Request, maxBytes: number, accept: readonly string[] = JSON_ONLY): Promise<{ value: unknown; raw: string }> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const type = request.headers.get("content-type") ?? "";
  if (type && !acceptsMediaType(type, accept)) {
    throw new AppError("unsupported_media_type", `Send the body as ${accept.join(" or ")}`);
  }
  const budget = bodyBudget();
  let reserved = 0;
  try {
    const raw = await readText(request, maxBytes, (bytes) => {
      budget.take(bytes, reserved);
      reserved += bytes;
    });
    if (raw.trim() === "") throw new AppError("invalid_json", "The request body is empty; send a JSON object");
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new AppError("invalid_json", "The request body is not valid JSON");
    }
    refuseUnstorable(value);
    return { value, raw };
  } finally {
    budget.release(reserved);
  }
}

/**
 * The bytes of request bodies this process is reading and parsing at once, across all requests
 * (REQUEST_BODY_BUDGET_BYTES): past it a request answers 503 with Retry-After instead of growing the heap — so a
 * handful of clients sending the largest allowed bodies at once cannot run the process out of memory under
 * `npm start`'s heap limit. Reserved as bytes arrive, released once the body is parsed. On globalThis: one budget per
 * process across the lean front's and Next.js's module graphs.
 */
function bodyBudget() {
  const g = globalThis as unknown as { __pmBodyBudget?: { used: number } };
  const state = (g.__pmBodyBudget ??= { used: 0 });
  const limit = env().REQUEST_BODY_BUDGET_BYTES;
  return {
    /** `mine`: what this request already holds — a request alone in the process is never refused. */
    take(bytes: number, mine: number) {
      if (state.used + bytes > limit && state.used > mine) {
        throw new AppError("service_unavailable", "The server is reading as many large request bodies as it can hold; retry shortly", { retry_after_seconds: 1 });
      }
      state.used += bytes;
    },
    release(bytes: number) {
      state.used -= bytes;
    },
  };
}

/**
 * 400 for JSON that could not be stored as sent (NUL, a lone surrogate) or nests deeper than any request we accept,
 * naming the field: checked once here, for every API body and webhook, before anything reaches the database.
 */
export function refuseUnstorable(value: unknown): void {
  const problem = findUnstorable(value);
  if (!problem) return;
  const message =
    problem.problem === "depth"
      ? `${problem.path} nests deeper than ${MAX_JSON_DEPTH} levels`
      : `${problem.path} contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored`;
  throw new AppError("invalid_request", message, { fields: [{ field: problem.path, code: problem.problem === "depth" ? "too_deep" : "invalid_characters", message }] });
}

const JSON_ONLY = ["application/json"] as const;

function acceptsMediaType(contentType: string, accept: readonly string[]): boolean {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (accept.includes(type)) return true;
  return accept.includes("application/json") && /^application\/[^/]+\+json$/.test(type);
}

export async function readText(request: Request, maxBytes: number, onBytes?: (bytes: number) => void): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of readChunks(request, maxBytes)) {
    onBytes?.(chunk.byteLength);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const tooLarge = (maxBytes: number) =>
  new AppError("payload_too_large", `The request body is larger than ${maxBytes} bytes`, { limit_bytes: maxBytes });

/** The body as it arrives, cut off with 413 past `maxBytes` (Content-Length checked first): for streaming parsers. */
export async function* readChunks(request: Request, maxBytes: number): AsyncGenerator<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return;
  const reader = request.body.getReader();
  let total = 0;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        throw new AppError("invalid_request", "The request body was cut off before it ended");
      }
      if (chunk.done) return;
      total += chunk.value.byteLength;
      if (total > maxBytes) throw tooLarge(maxBytes);
      yield chunk.value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
