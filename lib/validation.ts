import { z } from "zod";
import { validationError, type FieldIssue } from "./errors";

/** zod issues → our per-field 422 details (`field` is a dotted path, e.g. `to.3` or `headers.X-Tag`). */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    field: i.path.map(String).join(".") || "(body)",
    code: i.code,
    message: i.message,
  }));
}

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(toFieldIssues(result.error));
  return result.data;
}

/**
 * Strings the databases cannot store as they are: PostgreSQL (and PGlite) refuse NUL in text and jsonb, and a lone
 * UTF-16 surrogate has no UTF-8 form (the driver would silently turn it into U+FFFD, or jsonb refuses its escape).
 * Such input is refused with the field named, never stored altered and never a 500.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export function isStorableString(value: string): boolean {
  return !value.includes("\u0000") && !LONE_SURROGATE.test(value);
}

/** Deeper than any API body or ESP webhook we accept; bounds every recursive walk over stored JSON (dedup hashing). */
export const MAX_JSON_DEPTH = 32;

export interface UnstorableInput {
  /** Dotted path of the offending value or key (`metadata.a`, `to.3`, `(body)`). */
  path: string;
  problem: "characters" | "depth";
}

/**
 * The first value of parsed JSON that cannot be stored: a string or object key with NUL or a lone surrogate, or
 * nesting deeper than `maxDepth`. Iterative (an explicit stack), linear in the input, paths built only on failure.
 */
export function findUnstorable(value: unknown, maxDepth = MAX_JSON_DEPTH): UnstorableInput | null {
  interface Node {
    value: unknown;
    depth: number;
    parent: Node | null;
    key: string;
  }
  const pathOf = (node: Node | null, last?: string) => {
    const parts: string[] = last === undefined ? [] : [last];
    for (let n = node; n && n.parent; n = n.parent) parts.push(n.key);
    return parts.reverse().join(".") || "(body)";
  };
  const stack: Node[] = [{ value, depth: 0, parent: null, key: "" }];
  while (stack.length) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === "string") {
      if (!isStorableString(v)) return { path: pathOf(node), problem: "characters" };
    } else if (v !== null && typeof v === "object") {
      if (node.depth >= maxDepth) return { path: pathOf(node), problem: "depth" };
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth: node.depth + 1, parent: node, key: String(i) });
      } else {
        for (const [k, child] of Object.entries(v)) {
          if (!isStorableString(k)) return { path: pathOf(node, JSON.stringify(k).slice(1, 40)), problem: "characters" };
          stack.push({ value: child, depth: node.depth + 1, parent: node, key: k });
        }
      }
    }
  }
  return null;
}

const MIN_TIME = Date.parse("0001-01-01T00:00:00.000Z");
const MAX_TIME = Date.parse("9999-12-31T23:59:59.999Z");

/** Dates the databases and every ESP can hold: years 0001 to 9999 (UTC). */
export function isStorableDate(date: Date): boolean {
  const t = date.getTime();
  return Number.isFinite(t) && t >= MIN_TIME && t <= MAX_TIME;
}

export const DATE_RANGE_MESSAGE = "must be between 0001-01-01 and 9999-12-31 (UTC)";

/** An ISO-8601 timestamp with offset (or, with `dateOnly`, also a plain date) inside the storable range, as a Date. */
export function storableDateTime(options: { dateOnly?: boolean } = {}) {
  const text = options.dateOnly ? z.iso.datetime({ offset: true }).or(z.iso.date()) : z.iso.datetime({ offset: true });
  return text.transform((value, ctx) => {
    const date = new Date(value);
    if (!isStorableDate(date)) {
      ctx.addIssue({ code: "custom", message: DATE_RANGE_MESSAGE });
      return z.NEVER;
    }
    return date;
  });
}
