"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useForm } from "react-hook-form";
import { useState } from "react";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { EMAIL_TYPES, PROVIDER_KINDS, type EmailType, type ProviderKind } from "@/lib/providers/provider-kind";
import { routingSettingsSchema, type RoutingSettings } from "@/lib/sending/settings-schema";
import { api, ApiError } from "@/lib/console/api-client";
import { queryKeys, useProviders, useRouting } from "@/lib/console/queries";
import { EMAIL_TYPE_LABELS, healthStatus, type ProviderViewLike, type RoutingView } from "@/lib/console/provider-status";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Field, inputClass } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { CostRulesCard } from "./cost-rules";

const NONE = "";

type FormShape = { default_provider: string; rules: Record<string, string> };

const toForm = (r: RoutingView): FormShape => ({
  default_provider: r.default_provider ?? NONE,
  rules: Object.fromEntries(Object.entries(r.rules).map(([k, v]) => [k, v ?? NONE])),
});
const fromForm = (f: FormShape) => ({
  default_provider: (f.default_provider || null) as ProviderKind | null,
  rules: Object.fromEntries(Object.entries(f.rules).map(([k, v]) => [k, v || null])) as RoutingSettings["rules"],
});

function providerLabel(kind: ProviderKind, providers: ProviderViewLike[]): string {
  const view = providers.find((p) => p.kind === kind);
  const label = providerConfigSpecs[kind].label;
  return !view ? `${label} (not connected)` : !view.enabled ? `${label} (disabled)` : label;
}

export function RoutingClient({ initial, canManage }: { initial: { providers: ProviderViewLike[]; routing: RoutingView }; canManage: boolean }) {
  const providers = useProviders(initial.providers).data ?? initial.providers;
  const routing = useRouting(initial.routing).data ?? initial.routing;
  const queryClient = useQueryClient();
  const toast = useToast();
  const [refusal, setRefusal] = useState<string | null>(null);
  const form = useForm<FormShape>({
    defaultValues: toForm(routing),
    resolver: async (values, ctx, options) => {
      const result = await zodResolver(routingSettingsSchema as never)(fromForm(values) as never, ctx, options as never);
      return Object.keys(result.errors).length ? (result as never) : { values, errors: {} };
    },
  });
  const submit = form.handleSubmit(async (values) => {
    setRefusal(null);
    try {
      const saved = await api<RoutingView>("/api/v1/routing", { method: "PUT", body: fromForm(values) });
      queryClient.setQueryData(queryKeys.routing, saved);
      await queryClient.invalidateQueries({ queryKey: ["routing-preview"] });
      form.reset(toForm(saved));
      toast({ tone: "ok", title: "Routing saved" });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setRefusal(err.message);
    }
  });
  const select = (name: "default_provider" | `rules.${string}`, label: string, help: string) => (
    <Field id={`routing-${name.replace(".", "-")}`} label={label} help={help}>
      {(a11y) => (
        <select {...a11y} {...form.register(name as never)} className={inputClass}>
          <option value={NONE}>No provider</option>
          {PROVIDER_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {providerLabel(kind, providers)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card aria-labelledby="routing-rules-title">
        <CardTitle id="routing-rules-title">Rules</CardTitle>
        <form onSubmit={submit} noValidate>
          <fieldset disabled={!canManage || form.formState.isSubmitting}>
            <legend className="sr-only">Routing rules</legend>
            {EMAIL_TYPES.map((type) => select(`rules.${type}`, `${EMAIL_TYPE_LABELS[type]} email`, `Requests with "type": "${type}".`))}
            {select("default_provider", "Default provider", "For a type without a rule, or when its provider is unavailable.")}
            {select("rules.all_emails", "All emails → one provider (override)", "When set, every email goes here first, whatever its type.")}
          </fieldset>
          <div role="alert" className="mt-4 text-sm text-red-700 empty:hidden">
            {refusal ?? ""}
          </div>
          {canManage ? (
            <Button type="submit" className="mt-6" disabled={form.formState.isSubmitting}>
              Save routing
            </Button>
          ) : null}
        </form>
      </Card>
      <RoutingPreview providers={providers} />
      <CostRulesCard routing={routing} canManage={canManage} />
    </div>
  );
}

interface PreviewHop {
  provider: ProviderKind;
  position: number;
  reason: string;
  health: { circuit_state: "closed" | "open" | "half_open" | null; available: boolean };
}
interface Preview {
  chain: PreviewHop[];
  skipped: Array<{ provider: ProviderKind; reason: string }>;
  cost: {
    strategy: string;
    moved: boolean;
    reason: string;
    candidates: Array<{ provider: ProviderKind; marginal_cost: number | null; month_volume: number; monthly_budget: number | null; usable: boolean; note: string }>;
  } | null;
}

/** Which chain a message would get, from the dispatcher's own function (GET /api/v1/routing/preview); the choice lives in the URL. */
function RoutingPreview({ providers }: { providers: ProviderViewLike[] }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const type = (EMAIL_TYPES as readonly string[]).includes(params.get("type") ?? "") ? (params.get("type") as EmailType) : "transactional";
  const requested = (PROVIDER_KINDS as readonly string[]).includes(params.get("provider") ?? "") ? (params.get("provider") as ProviderKind) : "";
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    router.replace(`${pathname}?${next}`, { scroll: false });
  };
  const preview = useQuery({
    queryKey: ["routing-preview", type, requested],
    queryFn: ({ signal }) => api<Preview>(`/api/v1/routing/preview?type=${type}${requested ? `&provider=${requested}` : ""}`, { signal }),
    retry: false,
  });
  return (
    <Card aria-labelledby="preview-title">
      <CardTitle id="preview-title">Preview</CardTitle>
      <p className="mt-1 text-sm text-slate-600">The chain a new email would get right now, computed by the same function the dispatcher uses.</p>
      <div className="grid grid-cols-2 gap-3">
        <Field id="preview-type" label="Email type">
          {(a11y) => (
            <select {...a11y} value={type} onChange={(e) => setParam("type", e.target.value)} className={inputClass}>
              {EMAIL_TYPES.map((t) => (
                <option key={t} value={t}>
                  {EMAIL_TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="preview-provider" label="Provider in the request">
          {(a11y) => (
            <select {...a11y} value={requested} onChange={(e) => setParam("provider", e.target.value)} className={inputClass}>
              <option value="">None (use routing)</option>
              {PROVIDER_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {providerLabel(kind, providers)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div aria-live="polite" className="mt-4" data-testid="routing-preview">
        {preview.isPending ? <p className="text-sm text-slate-600">Computing…</p> : null}
        {preview.error ? (
          <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            <Badge tone="warn">Would be refused</Badge> {preview.error.message}
          </p>
        ) : null}
        {preview.data ? (
          <>
            <ol className="space-y-2">
              {preview.data.chain.map((hop) => {
                const health = hop.health.circuit_state
                  ? healthStatus({ circuit_state: hop.health.circuit_state, consecutive_failures: 0, circuit_opened_at: null, last_error: null, last_error_at: null })
                  : { tone: "neutral" as const, text: "Not connected" };
                return (
                  <li key={hop.provider} className="flex items-center justify-between gap-2 rounded-md border border-slate-200 px-3 py-2 text-sm">
                    <span>
                      <span className="font-medium">
                        {hop.position + 1}. {providerConfigSpecs[hop.provider].label}
                      </span>{" "}
                      <span className="text-slate-600">— {hop.reason}</span>
                    </span>
                    <Badge tone={health.tone}>{health.text}</Badge>
                  </li>
                );
              })}
            </ol>
            {preview.data.cost ? (
              <div className="mt-3 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-slate-800" data-testid="routing-preview-cost">
                <p>
                  <span className="font-medium">Cost rule:</span> {preview.data.cost.reason}
                </p>
                <ul className="mt-1 list-disc pl-5">
                  {preview.data.cost.candidates.map((c) => (
                    <li key={c.provider}>
                      {providerConfigSpecs[c.provider].label}: {c.usable ? "eligible" : "not eligible"} — {c.note}; {c.month_volume.toLocaleString("en-US")} sent this month
                      {c.marginal_cost !== null ? `, next email $${c.marginal_cost}` : ""}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            {preview.data.skipped.length ? (
              <>
                <h3 className="mt-3 text-sm font-medium text-slate-800">Skipped</h3>
                <ul className="mt-1 list-disc pl-5 text-sm text-slate-700">
                  {preview.data.skipped.map((s) => (
                    <li key={s.provider}>
                      {providerConfigSpecs[s.provider].label}: {s.reason}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </>
        ) : null}
      </div>
    </Card>
  );
}
