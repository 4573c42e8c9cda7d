import { and, eq, isNull, lte, or } from "drizzle-orm";
import { sendingDomains } from "@/db/schema";
import { env } from "../config/env";
import { requireRole, type ServiceContext } from "../auth/context";
import { AppError, notFound } from "../errors";
import { runDomainCheck } from "./check-domain";
import { domainName, type DomainView } from "./domain-types";
import { domainViews } from "./domain-view";
import { findDomainRow } from "./list-domains";

/**
 * POST /api/v1/domains/{domain}/check: checks now and answers with the fresh results. One on-demand check per domain
 * per cooldown (DOMAIN_CHECK_COOLDOWN_SECONDS): the claim is one conditional UPDATE, so two clicks (or two processes)
 * cannot both pass; the second gets 429 with Retry-After.
 */
export async function checkDomainNow(ctx: ServiceContext, rawName: string, now = new Date()): Promise<DomainView> {
  requireRole(ctx, "member");
  const parsed = domainName.safeParse(rawName);
  if (!parsed.success) throw notFound(`Domain ${rawName}`);
  const name = parsed.data;
  const cooldownMs = env().DOMAIN_CHECK_COOLDOWN_SECONDS * 1000;
  const [claimed] = await ctx.database.db
    .update(sendingDomains)
    .set({ lastRequestedAt: now })
    .where(
      and(
        eq(sendingDomains.workspaceId, ctx.workspaceId),
        eq(sendingDomains.name, name),
        or(isNull(sendingDomains.lastRequestedAt), lte(sendingDomains.lastRequestedAt, new Date(now.getTime() - cooldownMs))),
      ),
    )
    .returning();
  if (!claimed) {
    const row = await findDomainRow(ctx, name);
    if (!row) throw notFound(`Domain ${name}`);
    const wait = Math.max(1, Math.ceil(((row.lastRequestedAt?.getTime() ?? now.getTime()) + cooldownMs - now.getTime()) / 1000));
    throw new AppError("rate_limited", `${name} was checked moments ago; check again in ${wait} s`, { retry_after_seconds: wait });
  }
  const checked = await runDomainCheck(ctx.database, claimed, { now });
  const [view] = await domainViews(ctx.database, ctx.workspaceId, [checked]);
  return view!;
}
