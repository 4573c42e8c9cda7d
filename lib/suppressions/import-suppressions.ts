import { suppressions, SUPPRESSION_REASONS, type SuppressionReason } from "@/db/schema";
import { requireRole, type ServiceContext } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { parseCsv } from "./csv";
import { suppressionEmail } from "./schemas";

export interface SkippedRow {
  /** 1-based line in the file (the header is line 1). */
  line: number;
  value: string;
  reason: string;
}

export interface ImportResult {
  imported: number;
  already_suppressed: number;
  duplicates_in_file: number;
  skipped_invalid: SkippedRow[];
}

/** Listing every bad row of a huge file would make a huge response; the count stays exact through `skipped_invalid_total`. */
const MAX_REPORTED_SKIPS = 1000;
const INSERT_CHUNK = 1000;

/**
 * POST /api/v1/suppressions with Content-Type text/csv: an `email` column (header required, any position, any case),
 * optional `reason` (one of the suppression reasons; empty = manual) and `note`. A file without a header row whose
 * first cell is an address is read as one email per line. Existing entries keep their first reason.
 */
export async function importSuppressionsCsv(ctx: ServiceContext, csv: string): Promise<ImportResult & { skipped_invalid_total: number }> {
  requireRole(ctx, "member");
  const rows = parseCsv(csv);
  const { columns, firstDataIndex } = readHeader(rows);
  const skipped: SkippedRow[] = [];
  const valid = new Map<string, { reason: SuppressionReason; note: string | null }>();
  let duplicates = 0;
  for (let i = firstDataIndex; i < rows.length; i++) {
    const row = rows[i]!;
    const raw = (row[columns.email] ?? "").trim();
    const email = suppressionEmail.safeParse(raw);
    const reasonCell = columns.reason === undefined ? "" : (row[columns.reason] ?? "").trim().toLowerCase();
    const reason = reasonCell === "" ? "manual" : (SUPPRESSION_REASONS as readonly string[]).includes(reasonCell) ? (reasonCell as SuppressionReason) : null;
    if (!email.success) skipped.push({ line: i + 1, value: raw, reason: "invalid email address" });
    else if (!reason) skipped.push({ line: i + 1, value: raw, reason: `unknown reason "${reasonCell}"` });
    else if (valid.has(email.data)) duplicates++;
    else valid.set(email.data, { reason, note: columns.note === undefined ? null : (row[columns.note] ?? "").trim() || null });
  }
  const entries = [...valid.entries()];
  const createdAt = new Date();
  let imported = 0;
  await ctx.database.db.transaction(async (tx) => {
    for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
      const chunk = entries.slice(i, i + INSERT_CHUNK).map(([email, v]) => ({ workspaceId: ctx.workspaceId, email, reason: v.reason, note: v.note, createdAt }));
      const inserted = await tx.insert(suppressions).values(chunk).onConflictDoNothing().returning({ email: suppressions.email });
      imported += inserted.length;
    }
  });
  return {
    imported,
    already_suppressed: entries.length - imported,
    duplicates_in_file: duplicates,
    skipped_invalid: skipped.slice(0, MAX_REPORTED_SKIPS),
    skipped_invalid_total: skipped.length,
  };
}

function readHeader(rows: string[][]): { columns: { email: number; reason?: number; note?: number }; firstDataIndex: number } {
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const email = header.indexOf("email");
  if (email >= 0) {
    const at = (name: string) => (header.indexOf(name) >= 0 ? header.indexOf(name) : undefined);
    return { columns: { email, reason: at("reason"), note: at("note") }, firstDataIndex: 1 };
  }
  if (header.length === 1 && header[0]!.includes("@")) return { columns: { email: 0 }, firstDataIndex: 0 };
  throw new AppError("validation_error", "The CSV needs a header row with an `email` column", {
    fields: [{ field: "email", code: "missing_column", message: "No email column" }],
  });
}
