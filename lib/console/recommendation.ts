/**
 * The Dashboard's recommendation, computed from the analytics figures and the workspace's routing (pure,
 * client-safe): which provider to use for transactional mail, a provider whose complaint rate crossed a threshold,
 * and a type routed to a provider doing worse than another — each with its reasons and sample sizes. A provider is
 * compared only from MIN_SENT_FOR_RATES sent; with thinner data nothing is said.
 */
import { COMPLAINT_RISK, COMPLAINT_WARN, MIN_SENT_FOR_RATES } from "@/lib/analytics/thresholds";
import { EMAIL_TYPES, isProviderKind, type EmailType, type ProviderKind } from "@/lib/providers/provider-kind";
import { formatCount, formatRate } from "./deliverability-view";
import type { RoutingView } from "./provider-status";

/** The per-provider figures a recommendation reads (a row of group_by=provider). */
export interface ProviderFigures {
  provider?: string | null;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  delivered_rate: number | null;
  bounce_rate: number | null;
  complaint_rate: number | null;
}

export interface RecommendationInput {
  /** group_by=provider over every type. */
  overall: ProviderFigures[];
  /** group_by=provider per email type (a type missing is treated as no data). */
  byType: Partial<Record<EmailType, ProviderFigures[]>>;
  /** GET /api/v1/routing; null when unknown (no routing advice then). */
  routing: Pick<RoutingView, "default_provider" | "rules"> | null;
  /** Display names of providers ("Postmark"); the kind itself otherwise. */
  labels?: Partial<Record<string, string>>;
  minSent?: number;
}

export interface RecommendationSample {
  provider: ProviderKind;
  /** The mail the figures cover: one type, or every type. */
  scope: EmailType | "all";
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
}

export interface Recommendation {
  /** Stable across refreshes: kind plus what it is about. */
  id: string;
  kind: "transactional_provider" | "complaint_rate" | "routing";
  level: "info" | "warning" | "risk";
  provider: ProviderKind;
  type?: EmailType;
  title: string;
  reasons: string[];
  samples: RecommendationSample[];
}

/**
 * How much better one provider must be to be named: 1 percentage point of delivered rate, or (delivered rates within
 * that) 1 point less bouncing. Closer than that, "use either" is the honest answer, so nothing is said.
 */
export const CLEAR_MARGIN = 0.01;

const TYPE_NAMES: Record<EmailType, string> = { transactional: "transactional", marketing: "marketing", cold_outreach: "cold outreach" };

interface Candidate extends ProviderFigures {
  provider: ProviderKind;
  scope: EmailType | "all";
  deliveredRate: number;
  bounceRate: number;
  complaintRate: number;
}

const pct = formatRate;
const n = formatCount;

function candidates(rows: ProviderFigures[] | undefined, scope: EmailType | "all", minSent: number): Candidate[] {
  return (rows ?? [])
    .filter((r): r is ProviderFigures & { provider: ProviderKind } => typeof r.provider === "string" && isProviderKind(r.provider) && r.sent >= minSent)
    .map((r) => ({
      ...r,
      scope,
      deliveredRate: r.delivered_rate ?? r.delivered / r.sent,
      bounceRate: r.bounce_rate ?? r.bounced / r.sent,
      complaintRate: r.complaint_rate ?? (r.delivered ? r.complained / r.delivered : 0),
    }));
}

/** Best first: the higher delivered rate, then the lower bounce rate. */
const ranked = (list: Candidate[]) => [...list].sort((a, b) => b.deliveredRate - a.deliveredRate || a.bounceRate - b.bounceRate);

/** Whether `a` does clearly better than `b` (CLEAR_MARGIN), and on which figure. */
function clearlyBetter(a: Candidate, b: Candidate): "delivered" | "bounce" | null {
  if (a.deliveredRate - b.deliveredRate >= CLEAR_MARGIN) return "delivered";
  if (Math.abs(a.deliveredRate - b.deliveredRate) < CLEAR_MARGIN && b.bounceRate - a.bounceRate >= CLEAR_MARGIN) return "bounce";
  return null;
}

/** The first hop a new email of `type` gets with no explicit provider: override, the type's rule, the default. */
export function routedProvider(routing: RecommendationInput["routing"], type: EmailType): ProviderKind | null {
  if (!routing) return null;
  return routing.rules.all_emails ?? routing.rules[type] ?? routing.default_provider ?? null;
}

const sample = (c: Candidate): RecommendationSample => ({ provider: c.provider, scope: c.scope, sent: c.sent, delivered: c.delivered, bounced: c.bounced, complained: c.complained });

export function recommend(input: RecommendationInput): Recommendation[] {
  const minSent = input.minSent ?? MIN_SENT_FOR_RATES;
  const label = (kind: string) => input.labels?.[kind] ?? kind;
  const scopeText = (scope: EmailType | "all") => (scope === "all" ? "of all its mail" : `of its ${TYPE_NAMES[scope]} mail`);
  const figures = (c: Candidate) =>
    `${label(c.provider)} delivered ${pct(c.deliveredRate)} ${scopeText(c.scope)} (${n(c.delivered)} of ${n(c.sent)} sent) and bounced ${pct(c.bounceRate)} (${n(c.bounced)}).`;
  const out: Recommendation[] = [];

  // 1. Transactional mail: compare on transactional figures when two providers have the volume, else on all mail.
  let compared = candidates(input.byType.transactional, "transactional", minSent).filter((c) => c.complaintRate < COMPLAINT_RISK);
  if (compared.length < 2) compared = candidates(input.overall, "all", minSent).filter((c) => c.complaintRate < COMPLAINT_RISK);
  // The provider named must do clearly better than every other one compared.
  const best = compared.length >= 2 ? compared.find((c) => compared.every((o) => o === c || clearlyBetter(c, o))) : undefined;
  if (best) {
    const margins = new Set(compared.filter((o) => o !== best).map((o) => clearlyBetter(best, o)));
    const routed = routedProvider(input.routing, "transactional");
    const reasons = [best, ...ranked(compared.filter((o) => o !== best))].map(figures);
    reasons.push(
      `Compared ${compared.length} providers with at least ${n(minSent)} sent${best.scope === "all" ? " (all mail: fewer than two providers have that much transactional mail)" : ""}, on ${margins.has("bounce") ? "delivered rate, then bounce rate where delivered rates are within 1 point" : "delivered rate"}.`,
    );
    if (routed && routed !== best.provider) reasons.push(`Transactional mail goes to ${label(routed)} today: change it in Settings → Routing.`);
    out.push({
      id: `transactional_provider:${best.provider}`,
      kind: "transactional_provider",
      level: routed && routed !== best.provider ? "warning" : "info",
      provider: best.provider,
      type: "transactional",
      title: routed === best.provider ? `Keep ${label(best.provider)} for transactional mail` : `Use ${label(best.provider)} for transactional mail`,
      reasons,
      samples: [best, ...ranked(compared.filter((o) => o !== best))].map(sample),
    });
  }

  // 2. A provider whose complaint rate crossed a threshold (complaints per delivered, from minSent sent).
  for (const c of candidates(input.overall, "all", minSent)) {
    if (c.complaintRate < COMPLAINT_WARN) continue;
    const risk = c.complaintRate >= COMPLAINT_RISK;
    out.push({
      id: `complaint_rate:${c.provider}`,
      kind: "complaint_rate",
      level: risk ? "risk" : "warning",
      provider: c.provider,
      title: `${label(c.provider)}'s complaint rate is ${pct(c.complaintRate)}: above the ${risk ? "risk" : "warning"} threshold of ${pct(risk ? COMPLAINT_RISK : COMPLAINT_WARN)}`,
      reasons: [
        `${n(c.complained)} complaints from ${n(c.delivered)} delivered (${n(c.sent)} sent through ${label(c.provider)}).`,
        risk
          ? "Mailbox providers throttle or block senders above 0.3%: pause the lists that complain most and check consent before sending more through it."
          : "Mailbox providers start filtering above 0.1%: check which lists and campaigns the complaints come from.",
      ],
      samples: [sample(c)],
    });
  }

  // 3. A type routed to a provider that does clearly worse than another, on that type's figures (or, where the other
  //    provider has too little of that type, on all its mail). Transactional mail is covered by 1.
  for (const type of EMAIL_TYPES) {
    if (type === "transactional") continue;
    const routed = routedProvider(input.routing, type);
    if (!routed) continue;
    const ofType = candidates(input.byType[type], type, minSent);
    const current = ofType.find((c) => c.provider === routed);
    if (!current) continue;
    const overall = candidates(input.overall, "all", minSent);
    const others = [
      ...ofType.filter((c) => c.provider !== routed),
      ...overall.filter((c) => c.provider !== routed && !ofType.some((t) => t.provider === c.provider)),
    ].filter((c) => c.complaintRate < COMPLAINT_RISK);
    const better = ranked(others).find((c) => clearlyBetter(c, current));
    if (!better) continue;
    out.push({
      id: `routing:${type}:${better.provider}`,
      kind: "routing",
      level: "warning",
      provider: better.provider,
      type,
      title: `Route ${TYPE_NAMES[type]} mail to ${label(better.provider)} instead of ${label(routed)}`,
      reasons: [
        `${TYPE_NAMES[type][0]!.toUpperCase()}${TYPE_NAMES[type].slice(1)} mail goes to ${label(routed)} (Settings → Routing).`,
        figures(current),
        figures(better),
      ],
      samples: [sample(current), sample(better)],
    });
  }
  return out;
}
