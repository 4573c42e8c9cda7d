import { AppError } from "../errors";

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
  const raw = await readText(request, maxBytes);
  if (raw.trim() === "") throw new AppError("invalid_json", "The request body is empty; send a JSON object");
  try {
    return { value: JSON.parse(raw), raw };
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON");
  }
}

const JSON_ONLY = ["application/json"] as const;

function acceptsMediaType(contentType: string, accept: readonly string[]): boolean {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (accept.includes(type)) return true;
  return accept.includes("application/json") && /^application\/[^/]+\+json$/.test(type);
}

export async function readText(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // The client went away mid-body: a 400 nobody will read, and not a server error worth an error-level log.
      throw new AppError("invalid_request", "The request body was cut off before it ended");
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const tooLarge = (maxBytes: number) =>
  new AppError("payload_too_large", `The request body is larger than ${maxBytes} bytes`, { limit_bytes: maxBytes });
