import { getDatabase } from "@/db";
import { recordClick } from "@/lib/tracking/own-tracking";
import { requestInfo } from "@/lib/tracking/tracking-responses";
import { errorResponse } from "@/lib/http/respond";

/** Click redirect for built-in SMTP: records `clicked`, then 302 to the signed URL only (tampered → 400). */
export async function GET(request: Request, route: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    const url = await recordClick(await getDatabase(), (await route.params).token, requestInfo(request));
    return new Response(null, { status: 302, headers: { Location: url, "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
