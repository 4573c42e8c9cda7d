import { NextResponse, type NextRequest } from "next/server";

/**
 * Refuses a path whose percent-escapes do not decode (`/api/v1/emails/%FF`) with the API's 400 envelope, before the
 * framework tries to decode route segments and answers a bare, unlogged 500. Only paths holding a `%` reach this
 * (see `config.matcher`), so the send API and webhooks pay nothing for it.
 */
export function proxy(request: NextRequest): NextResponse {
  for (const segment of request.nextUrl.pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      return NextResponse.json(
        { error: { code: "invalid_request", message: "The URL path has a malformed percent-escape", details: { segment: segment.slice(0, 100) } } },
        { status: 400 },
      );
    }
  }
  return NextResponse.next();
}

export const config = { matcher: ["/(.*%.*)"] };
