"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { useState } from "react";
import { ExternalLink } from "lucide-react";
import { api, ApiError } from "@/lib/console/api-client";
import { BILLING_DAY, planSchema, type PlanView, type PricingView } from "@/lib/costs/price-book";
import { PROVIDER_KINDS, type ProviderKind } from "@/lib/providers/provider-kind";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Field, inputClass } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";

const label = (k: ProviderKind) => providerConfigSpecs[k as keyof typeof providerConfigSpecs]?.label ?? k;
const usd = (n: number | null) => (n === null ? "—" : `$${n.toLocaleString("en-US", { maximumFractionDigits: 4 })}`);
const num = (n: number | null) => (n === null ? "unlimited" : n.toLocaleString("en-US"));

/** After a save: the server page (price book) and the cost report read again. */
function useSaved() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  return async (title: string) => {
    await queryClient.invalidateQueries({ queryKey: ["costs"] });
    router.refresh();
    toast({ tone: "ok", title });
  };
}

export function PriceBookEditor({ pricing, canManage }: { pricing: PricingView; canManage: boolean }) {
  const kinds = PROVIDER_KINDS.filter((k) => pricing.providers[k]);
  return (
    <section aria-labelledby="price-book-title" className="space-y-4">
      <div>
        <h2 id="price-book-title" className="text-lg font-semibold text-slate-900">
          Price book
        </h2>
        <p className="text-sm text-slate-600">
          The providers&apos; published plans (USD) with where each figure comes from and when it was last checked; edit a plan to match your invoice or add
          your own. Every cost on this page and cost-aware routing use the selected plans.
        </p>
      </div>
      <BillingSettings pricing={pricing} canManage={canManage} />
      {kinds.map((kind) => (
        <ProviderPlans key={kind} kind={kind} pricing={pricing} canManage={canManage} />
      ))}
    </section>
  );
}

function BillingSettings({ pricing, canManage }: { pricing: PricingView; canManage: boolean }) {
  const saved = useSaved();
  const [refusal, setRefusal] = useState<string | null>(null);
  const form = useForm<{ billing_day: number; premium_provider: string }>({ defaultValues: { billing_day: pricing.billing_day, premium_provider: pricing.premium_provider ?? "" } });
  const submit = form.handleSubmit(async (v) => {
    setRefusal(null);
    try {
      await api("/api/v1/pricing", { method: "PUT", body: { billing_day: v.billing_day, premium_provider: v.premium_provider || null } });
      await saved("Billing settings saved");
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      for (const issue of err.fields) form.setError(issue.field as never, { message: issue.message });
      setRefusal(err.message);
    }
  });
  return (
    <Card aria-labelledby="billing-title">
      <CardTitle id="billing-title">Billing</CardTitle>
      <form onSubmit={submit} noValidate>
        <fieldset disabled={!canManage || form.formState.isSubmitting} className="grid gap-x-6 sm:grid-cols-2">
          <legend className="sr-only">Billing settings</legend>
          <Field id="billing-day" label="Billing month starts on day" help={`${BILLING_DAY.min}–${BILLING_DAY.max}, UTC.`} error={form.formState.errors.billing_day?.message}>
            {(a11y) => <input {...a11y} type="number" min={BILLING_DAY.min} max={BILLING_DAY.max} {...form.register("billing_day", { valueAsNumber: true })} className={`${inputClass} max-w-32`} />}
          </Field>
          <Field id="premium-provider" label="Premium provider for transactional mail" help="The what-if keeps transactional mail here.">
            {(a11y) => (
              <select {...a11y} {...form.register("premium_provider")} className={inputClass}>
                <option value="">The transactional route&apos;s provider</option>
                {PROVIDER_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {label(k)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </fieldset>
        <div role="alert" className="mt-3 text-sm text-red-700 empty:hidden">
          {refusal ?? ""}
        </div>
        {canManage ? (
          <Button type="submit" className="mt-4" disabled={form.formState.isSubmitting}>
            Save billing settings
          </Button>
        ) : null}
      </form>
    </Card>
  );
}

function ProviderPlans({ kind, pricing, canManage }: { kind: ProviderKind; pricing: PricingView; canManage: boolean }) {
  const book = pricing.providers[kind]!;
  const saved = useSaved();
  const [editing, setEditing] = useState<PlanView | "new" | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const selection = useForm<{ selected_plan: string; dedicated_ips: number }>({ defaultValues: { selected_plan: book.selected_plan ?? "", dedicated_ips: book.dedicated_ips } });
  const put = async (body: Record<string, unknown>, title: string) => {
    setRefusal(null);
    try {
      await api("/api/v1/pricing", { method: "PUT", body: { providers: { [kind]: body } } });
      await saved(title);
      return true;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setRefusal(err.fields.map((f) => f.message).join("; ") || err.message);
      return false;
    }
  };
  const titleId = `plans-${kind}`;
  return (
    <Card aria-labelledby={titleId} data-testid={`price-book-${kind}`}>
      <CardTitle id={titleId}>{label(kind)}</CardTitle>
      <form onSubmit={selection.handleSubmit((v) => put(v, `${label(kind)}: plan saved`))} noValidate>
        <fieldset disabled={!canManage || selection.formState.isSubmitting} className="flex flex-wrap items-end gap-x-6">
          <legend className="sr-only">{label(kind)} plan selection</legend>
          <Field id={`selected-plan-${kind}`} label="Your plan">
            {(a11y) => (
              <select {...a11y} {...selection.register("selected_plan")} className={inputClass}>
                {book.plans.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id={`dedicated-ips-${kind}`} label="Dedicated IPs">
            {(a11y) => <input {...a11y} type="number" min={0} max={100} {...selection.register("dedicated_ips", { valueAsNumber: true })} className={`${inputClass} max-w-24`} />}
          </Field>
          {canManage ? (
            <Button type="submit" variant="secondary" className="mb-0.5">
              Save plan choice
            </Button>
          ) : null}
        </fieldset>
      </form>
      <div className="mt-4">
        <Table
          caption={`${label(kind)} plans`}
          rowKey={(p) => p.id}
          rows={book.plans}
          empty="No plans."
          columns={[
            {
              header: "Plan",
              cell: (p) => (
                <span>
                  {p.name} {p.id === book.selected_plan ? <Badge tone="info">Selected</Badge> : null} {p.origin !== "published" ? <Badge tone="neutral">{p.origin === "edited" ? "Edited" : "Added"}</Badge> : null}
                </span>
              ),
            },
            { header: "Monthly fee", cell: (p) => usd(p.monthly_fee), align: "right" },
            { header: "Included", cell: (p) => num(p.included), align: "right" },
            { header: "Per 1,000 over", cell: (p) => (p.tiers?.length ? "tiered" : p.overflow_allowed ? usd(p.overage_per_1000) : "not allowed"), align: "right" },
            { header: "Free", cell: (p) => [p.free_per_day ? `${num(p.free_per_day)}/day` : "", p.free_per_month ? `${num(p.free_per_month)}/month` : ""].filter(Boolean).join(", ") || "—" },
            { header: "Dedicated IP", cell: (p) => (p.dedicated_ip_fee === null ? "—" : `${usd(p.dedicated_ip_fee)}/month`), align: "right" },
            {
              header: "Source",
              cell: (p) =>
                p.source_url ? (
                  <a href={p.source_url} target="_blank" rel="noreferrer noopener" className="inline-flex items-center gap-1 text-sky-800 underline">
                    {new URL(p.source_url).hostname}
                    <ExternalLink aria-hidden className="size-3" />
                    <span className="sr-only">(opens in a new tab)</span>
                  </a>
                ) : (
                  "your own figure"
                ),
            },
            { header: "Verified on", cell: (p) => p.verified_on ?? "never" },
            ...(canManage
              ? [
                  {
                    header: "Actions",
                    cell: (p: PlanView) => (
                      <span className="flex gap-1">
                        <Button size="sm" variant="secondary" onClick={() => setEditing(p)} aria-label={`Edit ${label(kind)} ${p.name}`}>
                          Edit
                        </Button>
                        {p.origin !== "published" ? (
                          <Button size="sm" variant="ghost" onClick={() => put({ remove_plans: [p.id] }, p.origin === "edited" ? "Published figures restored" : "Plan removed")} aria-label={`${p.origin === "edited" ? "Reset" : "Remove"} ${label(kind)} ${p.name}`}>
                            {p.origin === "edited" ? "Reset" : "Remove"}
                          </Button>
                        ) : null}
                      </span>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </div>
      <div role="alert" className="mt-3 text-sm text-red-700 empty:hidden">
        {refusal ?? ""}
      </div>
      {canManage && !editing ? (
        <Button variant="secondary" className="mt-3" onClick={() => setEditing("new")}>
          Add a plan
        </Button>
      ) : null}
      {editing ? (
        <PlanForm
          kind={kind}
          plan={editing === "new" ? null : editing}
          onCancel={() => setEditing(null)}
          onSave={async (plan) => {
            if (await put({ plans: [plan] }, `${label(kind)}: ${plan.name} saved`)) setEditing(null);
          }}
        />
      ) : null}
    </Card>
  );
}

// `plan_id`, not `id`: an input named "id" would shadow the form element's own `id` property (DOM named access).
type PlanFormShape = Record<"plan_id" | "name" | "monthly_fee" | "included" | "overage_per_1000" | "free_per_day" | "free_per_month" | "dedicated_ip_fee" | "effective_date" | "source_url" | "verified_on" | "notes", string> & {
  overflow_allowed: boolean;
};

const str = (n: number | null | undefined) => (n === null || n === undefined ? "" : String(n));
const toForm = (p: PlanView | null): PlanFormShape => ({
  plan_id: p?.id ?? "",
  name: p?.name ?? "",
  monthly_fee: str(p?.monthly_fee ?? 0),
  included: p ? str(p.included) : "0",
  overage_per_1000: str(p?.overage_per_1000),
  free_per_day: str(p?.free_per_day ?? 0),
  free_per_month: str(p?.free_per_month ?? 0),
  overflow_allowed: p?.overflow_allowed ?? true,
  dedicated_ip_fee: str(p?.dedicated_ip_fee),
  effective_date: p?.effective_date ?? new Date().toISOString().slice(0, 10),
  source_url: p?.source_url ?? "",
  verified_on: p?.verified_on ?? new Date().toISOString().slice(0, 10),
  notes: p?.notes ?? "",
});
const numberOrNull = (s: string) => (s.trim() === "" ? null : Number(s));
const fromForm = (f: PlanFormShape, original: PlanView | null) => ({
  id: f.plan_id.trim(),
  name: f.name,
  monthly_fee: Number(f.monthly_fee || 0),
  included: numberOrNull(f.included),
  overage_per_1000: numberOrNull(f.overage_per_1000),
  ...(original?.tiers ? { tiers: original.tiers } : {}),
  free_per_day: Number(f.free_per_day || 0),
  free_per_month: Number(f.free_per_month || 0),
  overflow_allowed: f.overflow_allowed,
  dedicated_ip_fee: numberOrNull(f.dedicated_ip_fee),
  effective_date: f.effective_date,
  source_url: f.source_url.trim() || null,
  verified_on: f.verified_on || null,
  ...(f.notes.trim() ? { notes: f.notes.trim() } : {}),
});

/** One plan's figures, validated with the API's own schema as you type; the server checks again on save. */
function PlanForm({ kind, plan, onCancel, onSave }: { kind: ProviderKind; plan: PlanView | null; onCancel: () => void; onSave: (plan: ReturnType<typeof fromForm>) => Promise<void> }) {
  const form = useForm<PlanFormShape>({
    defaultValues: toForm(plan),
    mode: "onChange",
    resolver: async (values, ctx, options) => {
      const result = await zodResolver(planSchema as never)(fromForm(values, plan) as never, ctx, options as never);
      if (!Object.keys(result.errors).length) return { values, errors: {} };
      const { id, ...errors } = result.errors as Record<string, unknown>;
      return { values: {}, errors: id ? { ...errors, plan_id: id } : errors } as never;
    },
  });
  const errors = form.formState.errors;
  const prefix = `plan-${kind}`;
  const text = (name: keyof PlanFormShape, fieldLabel: string, help?: string, type = "text") => (
    <Field id={`${prefix}-${name}`} label={fieldLabel} help={help} error={(errors[name] as { message?: string } | undefined)?.message}>
      {(a11y) => <input {...a11y} type={type} inputMode={type === "text" && /fee|included|overage|free/.test(name) ? "decimal" : undefined} {...form.register(name)} readOnly={name === "plan_id" && !!plan} className={inputClass} />}
    </Field>
  );
  return (
    <form onSubmit={form.handleSubmit((v) => onSave(fromForm(v, plan)))} noValidate className="mt-4 rounded-md border border-slate-200 p-4" aria-labelledby={`${prefix}-title`}>
      <h3 id={`${prefix}-title`} className="text-sm font-semibold text-slate-900">
        {plan ? `Edit ${plan.name}` : `Add a ${label(kind)} plan`}
      </h3>
      <fieldset disabled={form.formState.isSubmitting} className="grid gap-x-6 sm:grid-cols-2 lg:grid-cols-3">
        <legend className="sr-only">Plan figures</legend>
        {text("plan_id", "Plan id", plan ? "Fixed for an existing plan." : "Lower-case letters, digits, - and _.")}
        {text("name", "Name")}
        {text("monthly_fee", "Monthly fee (USD)")}
        {text("included", "Included emails per month", "Empty: unlimited.")}
        {text("overage_per_1000", "Overage per 1,000 (USD)", "Empty when sending beyond the plan is not possible.")}
        {text("free_per_day", "Free emails per day")}
        {text("free_per_month", "Free emails per month")}
        {text("dedicated_ip_fee", "Dedicated IP per month (USD)", "Empty: not offered.")}
        {text("effective_date", "Effective from", undefined, "date")}
        {text("source_url", "Source URL", "Where the figures come from.")}
        {text("verified_on", "Verified on", undefined, "date")}
        {text("notes", "Notes")}
        <div className="mt-4 flex items-center gap-2">
          <input id={`${prefix}-overflow`} type="checkbox" {...form.register("overflow_allowed")} className="size-4" />
          <label htmlFor={`${prefix}-overflow`} className="text-sm font-medium text-slate-800">
            Sending beyond the included and free volume is possible (billed as overage)
          </label>
        </div>
      </fieldset>
      {plan?.tiers?.length ? <p className="mt-2 text-xs text-slate-600">This plan&apos;s overage tiers are kept as they are (edit tiers through PUT /api/v1/pricing).</p> : null}
      <div className="mt-4 flex gap-2">
        <Button type="submit" disabled={form.formState.isSubmitting}>
          Save plan
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
