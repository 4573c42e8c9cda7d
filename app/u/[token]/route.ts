import { getDatabase } from "@/db";
import { AppError } from "@/lib/errors";
import { readUnsubscribeLink, recordUnsubscribe } from "@/lib/tracking/own-tracking";
import { invalidLinkPage, requestInfo, unsubscribeConfirmPage, unsubscribedPage } from "@/lib/tracking/tracking-responses";
import { errorResponse } from "@/lib/http/respond";

type Route = { params: Promise<{ token: string }> };

/** GET: a confirmation page that changes nothing (link scanners follow GETs). */
export async function GET(request: Request, route: Route): Promise<Response> {
  try {
    const { email } = readUnsubscribeLink((await route.params).token);
    return unsubscribeConfirmPage(email, new URL(request.url).pathname);
  } catch (err) {
    return err instanceof AppError && err.code === "invalid_request" ? invalidLinkPage() : errorResponse(err);
  }
}

/** POST: RFC 8058 one-click unsubscribe (also the confirmation page's button): event + suppression, then 200. */
export async function POST(request: Request, route: Route): Promise<Response> {
  try {
    const { email } = await recordUnsubscribe(await getDatabase(), (await route.params).token, requestInfo(request));
    return unsubscribedPage(email);
  } catch (err) {
    return err instanceof AppError && err.code === "invalid_request" ? invalidLinkPage() : errorResponse(err);
  }
}
