import type { z } from "zod";
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
