import { AppError } from "@/lib/errors";

/**
 * Opaque keyset cursors: base64url(JSON [timestamp ISO, tie-breaker]). Keyset rather than offset pagination, so a
 * page stays correct while new rows arrive, and each page costs one index range scan.
 */
export interface KeysetPosition {
  at: Date;
  key: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.at.toISOString(), position.key]), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const [at, key] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown];
    const date = new Date(String(at));
    if (typeof at === "string" && typeof key === "string" && !Number.isNaN(date.getTime())) return { at: date, key };
  } catch {
    // fall through
  }
  throw new AppError("validation_error", "The cursor is invalid; pass next_cursor from the previous page", {
    fields: [{ field: "cursor", code: "invalid_cursor", message: "Invalid cursor" }],
  });
}

export interface KeysetPage<V> {
  data: V[];
  next_cursor: string | null;
}

/**
 * Turns the rows of a keyset query run with `limit + 1` into one page: the extra row only says that another page
 * exists, and the next cursor is the position of the page's last row.
 */
export function keysetPage<R, V>(rows: R[], limit: number, positionOf: (row: R) => KeysetPosition, view: (row: R) => V): KeysetPage<V> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map(view),
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
}
