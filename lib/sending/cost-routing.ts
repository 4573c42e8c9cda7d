/**
 * Cost-aware routing in the dispatcher (README "Cost-aware routing"): when a copy is sent for the first time, a cost
 * rule for its email type may move another provider of its chain to the front (lib/costs/choose-first-hop.ts).
 * Chains are fixed at accept time (send-email.ts stores them on each recipient) and the first hop is only decided
 * here, at claim time, so the decision uses this month's usage as it stands when the copy goes out — one request's
 * recipients spread across providers as allowances run out. Never applied to an explicit `provider`, under the
 * all-emails override, or to a copy that was already tried (a retry or failover follows its chain as stored).
 */
import type { Database } from "@/db";
import type { messages, providerConfigs, workspaceSettings } from "@/db/schema";
import type { EmailType, ProviderKind } from "../providers/provider-kind";
import { providerModule } from "../providers/registry";
import { canSendNow } from "../providers/provider-health";
import { chooseFirstHop, type FirstHopChoice } from "../costs/choose-first-hop";
import { loadWorkspacePricing, type WorkspacePricing } from "../costs/pricing-store";
import { selectedPlan } from "../costs/price-book";
import { monthUsage, providerUsage } from "../costs/usage-counters";
import type { ClaimedRecipient } from "./claim-recipients";

type MessageRow = typeof messages.$inferSelect;
type ProviderRow = typeof providerConfigs.$inferSelect;
type SettingsRow = typeof workspaceSettings.$inferSelect;

/** A copy the cost rules may route: first send, no explicit provider, no all-emails override. */
export function isFirstHopOpen(r: ClaimedRecipient, message: MessageRow, settings: SettingsRow | undefined): boolean {
  return r.totalAttempts === 0 && r.chainPosition === 0 && r.attempts === 0 && r.deferrals === 0 && !r.lostClaim && !message.requestedProvider && !settings?.routingRules.all_emails;
}

interface WorkspaceInputs {
  pricing: WorkspacePricing;
  usage: Awaited<ReturnType<typeof monthUsage>>;
}

/**
 * The chains of this claim's copies that the cost rules reorder (recipient id → new chain). Copies chosen earlier in
 * the same round count toward usage, so a large claim does not send everything to a provider whose allowance the
 * first few copies use up.
 */
export async function applyCostRules(
  database: Database,
  claimed: readonly ClaimedRecipient[],
  input: { messagesById: ReadonlyMap<string, MessageRow>; settingsRows: readonly SettingsRow[]; providerByKey: ReadonlyMap<string, ProviderRow>; now: Date },
): Promise<Map<string, ProviderKind[]>> {
  const settingsByWs = new Map(input.settingsRows.map((s) => [s.workspaceId, s]));
  const open = claimed.filter((r) => {
    const m = input.messagesById.get(r.messageId);
    return m && isFirstHopOpen(r, m, settingsByWs.get(r.workspaceId));
  });
  const rechained = new Map<string, ProviderKind[]>();
  if (!open.length) return rechained;
  const inputs = new Map<string, WorkspaceInputs | null>();
  for (const ws of new Set(open.map((r) => r.workspaceId))) {
    const pricing = await loadWorkspacePricing(database.db, ws);
    const used = open.some((r) => r.workspaceId === ws && pricing.costRules.types[input.messagesById.get(r.messageId)!.type].strategy);
    inputs.set(ws, used ? { pricing, usage: await monthUsage(database, ws, pricing.view.billing_day, input.now) } : null);
  }
  const pending = new Map<string, number>();
  for (const r of open) {
    const ws = inputs.get(r.workspaceId);
    if (!ws) continue;
    const message = input.messagesById.get(r.messageId)!;
    const choice = choose({ ...ws, message, chain: r.chain, type: message.type, now: input.now, providerRow: (k) => input.providerByKey.get(`${r.workspaceId}:${k}`), pending: (k) => pending.get(`${r.workspaceId}:${k}`) ?? 0 });
    if (choice.moved) rechained.set(r.id, choice.chain);
    if (choice.strategy) {
      const key = `${r.workspaceId}:${choice.chain[0]}`;
      pending.set(key, (pending.get(key) ?? 0) + 1);
    }
  }
  return rechained;
}

function choose(input: WorkspaceInputs & {
  message: Pick<MessageRow, "tags" | "metadata" | "headers">;
  chain: readonly ProviderKind[];
  type: EmailType;
  now: Date;
  providerRow(kind: ProviderKind): ProviderRow | undefined;
  pending(kind: ProviderKind): number;
}): FirstHopChoice {
  const { pricing, usage, message, now } = input;
  return chooseFirstHop({
    type: input.type,
    chain: input.chain,
    rules: pricing.costRules,
    // Healthy, enabled and verified, and the message within the ESP's limits: a move for cost must not send a good
    // copy first to a provider that will refuse it (a just-connected one with its domain still pending, say).
    canSend: (kind) => {
      const row = input.providerRow(kind);
      return canSendNow(row, now) && row?.verificationStatus === "verified" && providerModule(kind).checkMessage(message).length === 0;
    },
    plan: (kind) => {
      const plan = selectedPlan(pricing.view, kind);
      return plan ? { plan, dedicatedIps: pricing.view.providers[kind]?.dedicated_ips ?? 0 } : null;
    },
    usage: (kind) => {
      const u = providerUsage(usage, kind, now);
      return { pastDays: u.pastDays, today: u.today + input.pending(kind) };
    },
  });
}

/** For the routing preview: what the cost rule would do for a message of this type sent now with this chain. */
export async function previewCostChoice(
  database: Database,
  workspaceId: string,
  input: { type: EmailType; chain: readonly ProviderKind[]; providerRows: readonly ProviderRow[]; now: Date },
): Promise<FirstHopChoice> {
  const pricing = await loadWorkspacePricing(database.db, workspaceId);
  if (!pricing.costRules.types[input.type].strategy) return chooseFirstHop({ type: input.type, chain: input.chain, rules: pricing.costRules, canSend: () => false, plan: () => null, usage: () => ({ pastDays: [], today: 0 }) });
  const usage = await monthUsage(database, workspaceId, pricing.view.billing_day, input.now);
  const rowOf = new Map(input.providerRows.map((r) => [r.kind, r]));
  return choose({ pricing, usage, message: { tags: [], metadata: {}, headers: {} }, chain: input.chain, type: input.type, now: input.now, providerRow: (k) => rowOf.get(k), pending: () => 0 });
}
