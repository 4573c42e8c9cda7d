import { AppError } from "../errors";
import { isStorableString } from "../validation";

type RouteParams = Record<string, string | string[] | undefined>;

/**
 * 400 for a query parameter or route segment that could not be stored or compared in SQL as sent (a decoded NUL or
 * lone surrogate: `?recipient=%00`, `/emails/msg_%00`), naming it — before any handler queries with it.
 */
export function refuseUnstorableRouteInput(request: Request, params: RouteParams = {}): void {
  const bad = (field: string) =>
    new AppError("invalid_request", `${field} contains a NUL character or an unpaired UTF-16 surrogate`, {
      fields: [{ field, code: "invalid_characters", message: "contains a NUL character or an unpaired UTF-16 surrogate" }],
    });
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) if (!isStorableString(v)) throw bad(name);
  }
  const query = request.url.indexOf("?");
  if (query < 0) return;
  for (const [key, value] of new URL(request.url).searchParams) {
    if (!isStorableString(key) || !isStorableString(value)) throw bad(`query.${isStorableString(key) ? key : "(name)"}`);
  }
}
