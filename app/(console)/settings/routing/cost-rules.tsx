"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { useState } from "react";
import Link from "next/link";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { EMAIL_TYPES, PROVIDER_KINDS, type ProviderKind } from "@/lib/providers/provider-kind";
import { COST_STRATEGIES, COST_STRATEGY_LABELS, completeCostRules, costRulesUpdateSchema, type CostRules } from "@/lib/costs/cost-rules";
import { api, ApiError } from "@/lib/console/api-client";
import { queryKeys } from "@/lib/console/queries";
import { EMAIL_TYPE_LABELS, type RoutingView } from "@/lib/console/provider-status";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Field, inputClass } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";

const OFF = "";
const label = (k: ProviderKind) => providerConfigSpecs[k as keyof typeof providerConfigSpecs]?.label ?? k;

/** Form values: selects and text inputs (an empty budget = no cap). */
type FormShape = { types: Record<string, string>; providers: Record<string, string> };

const toForm = (rules: CostRules): FormShape => ({
  types: Object.fromEntries(EMAIL_TYPES.map((t) => [t, rules.types[t].strategy ?? OFF])),
  providers: Object.fromEntries(PROVIDER_KINDS.map((k) => [k, rules.providers[k]?.monthly_budget?.toString() ?? ""])),
});
const fromForm = (f: FormShape) => ({
  types: Object.fromEntries(EMAIL_TYPES.map((t) => [t, { strategy: f.types[t] || null }])),
  providers: Object.fromEntries(PROVIDER_KINDS.map((k) => [k, { monthly_budget: f.providers[k]?.trim() ? Number(f.providers[k]) : null }])),
});

/** Settings → Routing: cost rules per email type and monthly budgets per provider (PUT /api/v1/routing `cost_rules`). */
export function CostRulesCard({ routing, canManage }: { routing: RoutingView; canManage: boolean }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [refusal, setRefusal] = useState<string | null>(null);
  const form = useForm<FormShape>({
    defaultValues: toForm(completeCostRules(routing.cost_rules)),
    mode: "onChange",
    resolver: async (values, ctx, options) => {
      const result = await zodResolver(costRulesUpdateSchema as never)(fromForm(values) as never, ctx, options as never);
      return Object.keys(result.errors).length ? (result as never) : { values, errors: {} };
    },
  });
  const errors = form.formState.errors as { providers?: Record<string, { monthly_budget?: { message?: string } }> };
  const submit = form.handleSubmit(async (values) => {
    setRefusal(null);
    try {
      const saved = await api<RoutingView>("/api/v1/routing", { method: "PUT", body: { cost_rules: fromForm(values) } });
      queryClient.setQueryData(queryKeys.routing, saved);
      await queryClient.invalidateQueries({ queryKey: ["routing-preview"] });
      form.reset(toForm(completeCostRules(saved.cost_rules)));
      toast({ tone: "ok", title: "Cost rules saved" });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setRefusal(err.message);
    }
  });
  return (
    <Card aria-labelledby="cost-rules-title" className="lg:col-span-2">
      <CardTitle id="cost-rules-title">Cost-aware routing</CardTitle>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        Opt in per email type. The dispatcher then picks each email&apos;s first provider from its chain by this month&apos;s usage and the{" "}
        <Link href="/settings/cost" className="text-sky-800 underline">
          price book
        </Link>
        : only healthy, enabled providers; an explicit provider in the request and the all-emails override always win. Budgets are soft: once a
        provider&apos;s month would pass its budget, opted-in mail goes to the next provider; when all are over, the normal chain applies — mail is
        never held back. Types left off never move.
      </p>
      <form onSubmit={submit} noValidate>
        <fieldset disabled={!canManage || form.formState.isSubmitting} className="grid gap-x-6 sm:grid-cols-2">
          <legend className="sr-only">Cost rules</legend>
          <div>
            <h3 className="mt-4 text-sm font-semibold text-slate-800">Per email type</h3>
            {EMAIL_TYPES.map((type) => (
              <Field key={type} id={`cost-rule-${type}`} label={`${EMAIL_TYPE_LABELS[type]} cost rule`}>
                {(a11y) => (
                  <select {...a11y} {...form.register(`types.${type}`)} className={inputClass}>
                    <option value={OFF}>Off (routing rules only)</option>
                    {COST_STRATEGIES.map((s) => (
                      <option key={s} value={s}>
                        {COST_STRATEGY_LABELS[s]}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            ))}
          </div>
          <div>
            <h3 className="mt-4 text-sm font-semibold text-slate-800">Monthly budget per provider (USD)</h3>
            {PROVIDER_KINDS.map((kind) => (
              <Field key={kind} id={`cost-budget-${kind}`} label={`${label(kind)} budget`} help="Empty: no cap." error={errors.providers?.[kind]?.monthly_budget?.message}>
                {(a11y) => <input {...a11y} inputMode="decimal" {...form.register(`providers.${kind}`)} className={`${inputClass} max-w-40`} />}
              </Field>
            ))}
          </div>
        </fieldset>
        <div role="alert" className="mt-4 text-sm text-red-700 empty:hidden">
          {refusal ?? ""}
        </div>
        {canManage ? (
          <Button type="submit" className="mt-6" disabled={form.formState.isSubmitting}>
            Save cost rules
          </Button>
        ) : null}
      </form>
    </Card>
  );
}
