import { getDatabase } from "@/db";
import { recordOpen } from "@/lib/tracking/own-tracking";
import { requestInfo, transparentGifResponse } from "@/lib/tracking/tracking-responses";
import { errorResponse } from "@/lib/http/respond";

/** Open pixel for built-in SMTP: records `opened`, answers a no-cache 1×1 GIF; a bad token is a 400. */
export async function GET(request: Request, route: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    await recordOpen(await getDatabase(), (await route.params).token, requestInfo(request));
    return transparentGifResponse();
  } catch (err) {
    return errorResponse(err);
  }
}
