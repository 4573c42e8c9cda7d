import { and, eq } from "drizzle-orm";
import { suppressions } from "@/db/schema";
import { requireRole, type ServiceContext } from "@/lib/auth/context";
import { notFound } from "@/lib/errors";
import { parseOrThrow } from "@/lib/validation";
import { addSuppressionSchema, suppressionEmail } from "./schemas";
import { suppressAddress } from "./suppress-address";
import { toSuppressionView, type SuppressionView } from "./suppression-view";

/** POST /api/v1/suppressions: adds a manual entry; an address already suppressed keeps its first reason (created: false). */
export async function addSuppression(ctx: ServiceContext, body: unknown): Promise<{ created: boolean; suppression: SuppressionView }> {
  requireRole(ctx, "member");
  const input = parseOrThrow(addSuppressionSchema, body);
  const created = await suppressAddress(ctx.database.db, ctx.workspaceId, { email: input.email, reason: input.reason, note: input.note });
  return { created, suppression: await getSuppression(ctx, input.email) };
}

export async function getSuppression(ctx: ServiceContext, email: string): Promise<SuppressionView> {
  requireRole(ctx, "viewer");
  const [row] = await ctx.database.db
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.workspaceId, ctx.workspaceId), eq(suppressions.email, email.trim().toLowerCase())));
  if (!row) throw notFound("Suppression");
  return toSuppressionView(row);
}

/** DELETE /api/v1/suppressions/{email}: lifts the entry; only an operator does this (webhooks never do). */
export async function deleteSuppression(ctx: ServiceContext, rawEmail: string): Promise<void> {
  // Removing one lets mail reach an address that bounced or complained again: an admin's decision.
  requireRole(ctx, "admin");
  const email = suppressionEmail.safeParse(rawEmail);
  if (!email.success) throw notFound("Suppression");
  const deleted = await ctx.database.db
    .delete(suppressions)
    .where(and(eq(suppressions.workspaceId, ctx.workspaceId), eq(suppressions.email, email.data)))
    .returning({ email: suppressions.email });
  if (deleted.length === 0) throw notFound("Suppression");
}
