import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { sendingDomains } from "@/db/schema";
import { requireRole, type ServiceContext } from "../auth/context";
import { parseOrThrow } from "../validation";
import { runDomainCheck } from "./check-domain";
import { generateDkimKey } from "./dkim-keys";
import { addDomainInput, type DomainView } from "./domain-types";
import { domainViews } from "./domain-view";
import { findDomainRow } from "./list-domains";

/**
 * POST /api/v1/domains: adds a domain (or updates one: the providers named, the SMTP relay's SPF mechanism and
 * Return-Path host — null clears them), optionally generates a DKIM key pair for the SMTP relay, then checks it at
 * once. `created` says whether the domain is new.
 */
export async function addDomain(ctx: ServiceContext, body: unknown): Promise<{ created: boolean; domain: DomainView }> {
  requireRole(ctx, "admin");
  const input = parseOrThrow(addDomainInput, body);
  const existing = await findDomainRow(ctx, input.domain);
  const smtp = input.smtp ?? {};
  const values = {
    addedManually: true,
    ...(input.providers ? { claimedProviders: [...new Set(input.providers)] } : {}),
    ...(smtp.spf_mechanism !== undefined ? { smtpSpfMechanism: smtp.spf_mechanism } : {}),
    ...(smtp.return_path !== undefined ? { smtpReturnPath: smtp.return_path } : {}),
  };
  const row = await ctx.database.db.transaction(async (tx) => {
    const [saved] = await tx
      .insert(sendingDomains)
      .values({ id: randomUUID(), workspaceId: ctx.workspaceId, name: input.domain, ...values })
      .onConflictDoUpdate({ target: [sendingDomains.workspaceId, sendingDomains.name], set: { ...values, nextCheckAt: sql`now()` } })
      .returning();
    if (smtp.generate_dkim_key) await generateDkimKey(tx, ctx.workspaceId, input.domain, smtp.generate_dkim_key.selector);
    return saved!;
  });
  const checked = await runDomainCheck(ctx.database, row);
  const [view] = await domainViews(ctx.database, ctx.workspaceId, [checked]);
  return { created: !existing, domain: view! };
}
