import { and, eq, inArray } from "drizzle-orm";
import { suppressions, SUPPRESSION_REASONS, type SuppressionReason } from "@/db/schema";
import { requireRole, type ServiceContext } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { isStorableString } from "@/lib/validation";
import { CsvError } from "csv-parse";
import { parseCsvRows } from "./csv";
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
 *
 * The file is parsed as a stream (csv-parse) and written in chunks inside one transaction: all or nothing.
 */
export async function importSuppressionsCsv(
  ctx: ServiceContext,
  source: AsyncIterable<Uint8Array | string>,
  options: { dryRun?: boolean } = {},
): Promise<ImportResult & { skipped_invalid_total: number; dry_run: boolean }> {
  requireRole(ctx, "member");
  const skipped: SkippedRow[] = [];
  let skippedTotal = 0;
  const seen = new Set<string>();
  let duplicates = 0;
  const createdAt = new Date();
  const skip = (row: SkippedRow) => {
    skippedTotal++;
    if (skipped.length < MAX_REPORTED_SKIPS) skipped.push(row);
  };
  // Rows are parsed as they arrive; the transaction opens only once the whole file is read, so a slow upload never
  // holds a database connection (the body is bounded by the route's size limit).
  const entries: Array<typeof suppressions.$inferInsert> = [];
  let columns: Columns | null = null;
  try {
    for await (const { line, cells } of parseCsvRows(source)) {
      if (!columns) {
        const header = readHeader(cells);
        columns = header.columns;
        if (header.isHeader) continue;
      }
      const raw = (cells[columns.email] ?? "").trim();
      const email = suppressionEmail.safeParse(raw);
      const reasonCell = columns.reason === undefined ? "" : (cells[columns.reason] ?? "").trim().toLowerCase();
      const reason = reasonCell === "" ? "manual" : (SUPPRESSION_REASONS as readonly string[]).includes(reasonCell) ? (reasonCell as SuppressionReason) : null;
      if (!cells.every(isStorableString)) skip({ line, value: raw.slice(0, 320).replace(/[\u0000\ud800-\udfff]/g, "\ufffd"), reason: "contains a NUL character or an unpaired UTF-16 surrogate" });
      else if (!email.success) skip({ line, value: raw.slice(0, 320), reason: "invalid email address" });
      else if (!reason) skip({ line, value: raw.slice(0, 320), reason: `unknown reason "${reasonCell.slice(0, 50)}"` });
      else if (seen.has(email.data)) duplicates++;
      else {
        seen.add(email.data);
        const note = columns.note === undefined ? null : (cells[columns.note] ?? "").trim().slice(0, 1000) || null;
        entries.push({ workspaceId: ctx.workspaceId, email: email.data, reason, note, createdAt });
      }
    }
  } catch (err) {
    if (err instanceof CsvError) throw new AppError("invalid_request", `The CSV could not be read: ${err.message.slice(0, 200)}`, { csv_error: err.code });
    throw err;
  }
  if (!columns) throw missingEmailColumn();
  let imported = 0;
  if (options.dryRun) {
    // The preview: the same parse and the same counts, with existing entries looked up instead of inserted.
    for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
      const chunk = entries.slice(i, i + INSERT_CHUNK).map((e) => e.email);
      const existing = await ctx.database.db
        .select({ email: suppressions.email })
        .from(suppressions)
        .where(and(eq(suppressions.workspaceId, ctx.workspaceId), inArray(suppressions.email, chunk)));
      imported += chunk.length - existing.length;
    }
  } else {
    await ctx.database.db.transaction(async (tx) => {
      for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
        const inserted = await tx.insert(suppressions).values(entries.slice(i, i + INSERT_CHUNK)).onConflictDoNothing().returning({ email: suppressions.email });
        imported += inserted.length;
      }
    });
  }
  return {
    dry_run: options.dryRun === true,
    imported,
    already_suppressed: entries.length - imported,
    duplicates_in_file: duplicates,
    skipped_invalid: skipped,
    skipped_invalid_total: skippedTotal,
  };
}

interface Columns {
  email: number;
  reason?: number;
  note?: number;
}

function readHeader(cells: string[]): { columns: Columns; isHeader: boolean } {
  const header = cells.map((h) => h.trim().toLowerCase());
  const email = header.indexOf("email");
  if (email >= 0) {
    const at = (name: string) => (header.indexOf(name) >= 0 ? header.indexOf(name) : undefined);
    return { columns: { email, reason: at("reason"), note: at("note") }, isHeader: true };
  }
  if (header.length === 1 && header[0]!.includes("@")) return { columns: { email: 0 }, isHeader: false };
  throw missingEmailColumn();
}

const missingEmailColumn = () =>
  new AppError("validation_error", "The CSV needs a header row with an `email` column", {
    fields: [{ field: "email", code: "missing_column", message: "No email column" }],
  });
