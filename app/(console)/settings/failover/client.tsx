"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { Controller, useForm } from "react-hook-form";
import { useState } from "react";
import { ArrowDown, ArrowUp, Plus, X } from "lucide-react";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { PROVIDER_KINDS, type ProviderKind } from "@/lib/providers/provider-kind";
import { describeFailover, failoverSettingsSchema, FAILOVER_LIMITS, type FailoverSettingsView } from "@/lib/sending/settings-schema";
import { api, ApiError } from "@/lib/console/api-client";
import { queryKeys, useFailover, useProviders } from "@/lib/console/queries";
import { connectionStatus, type FailoverView, type ProviderViewLike } from "@/lib/console/provider-status";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Field, inputClass } from "@/components/ui/field";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";

const LABELS = Object.fromEntries(PROVIDER_KINDS.map((k) => [k, providerConfigSpecs[k].label])) as Record<ProviderKind, string>;

export function FailoverClient({ initial, canManage }: { initial: { providers: ProviderViewLike[]; failover: FailoverView }; canManage: boolean }) {
  const providers = useProviders(initial.providers).data ?? initial.providers;
  const failover = useFailover(initial.failover).data ?? initial.failover;
  const queryClient = useQueryClient();
  const toast = useToast();
  const [refusal, setRefusal] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const form = useForm<FailoverSettingsView>({ defaultValues: failover, resolver: zodResolver(failoverSettingsSchema as never) as never, mode: "onChange" });
  const values = form.watch();
  const order = values.order ?? [];
  const errors = form.formState.errors;

  const setOrder = (next: ProviderKind[], message: string) => {
    form.setValue("order", next, { shouldDirty: true, shouldValidate: true });
    setAnnouncement(message);
  };
  const move = (index: number, delta: -1 | 1) => {
    const next = [...order];
    const [item] = next.splice(index, 1);
    next.splice(index + delta, 0, item!);
    setOrder(next, `${LABELS[item!]} moved to position ${index + delta + 1} of ${next.length}`);
  };

  const submit = form.handleSubmit(async (input) => {
    setRefusal(null);
    try {
      const saved = await api<FailoverView>("/api/v1/failover", { method: "PUT", body: input });
      queryClient.setQueryData(queryKeys.failover, saved);
      await queryClient.invalidateQueries({ queryKey: ["routing-preview"] });
      form.reset(saved);
      toast({ tone: "ok", title: "Failover saved", description: describeFailover(saved, LABELS) });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      for (const issue of err.fields) form.setError(issue.field as never, { message: issue.message });
      setRefusal(err.message);
    }
  });

  const number = (name: "retry_attempts" | "retry_delay_seconds" | "max_age_hours", label: string, help: string) => (
    <Field id={`failover-${name}`} label={label} help={help} error={errors[name]?.message}>
      {(a11y) => (
        <input
          {...a11y}
          type="number"
          min={FAILOVER_LIMITS[name].min}
          max={FAILOVER_LIMITS[name].max}
          {...form.register(name, { valueAsNumber: true })}
          className={`${inputClass} max-w-40`}
        />
      )}
    </Field>
  );

  const summaryValid = failoverSettingsSchema.safeParse(values).success;
  return (
    <form onSubmit={submit} noValidate className="grid gap-6 lg:grid-cols-2">
      <Card aria-labelledby="policy-title">
        <CardTitle id="policy-title">Policy</CardTitle>
        <fieldset disabled={!canManage || form.formState.isSubmitting}>
          <legend className="sr-only">Failover policy</legend>
          <Controller
            control={form.control}
            name="enabled"
            render={({ field }) => (
              <Switch id="failover-enabled" label="Fail over to the next provider" help="Off: only the first provider is tried; the email waits for it." checked={field.value} onCheckedChange={field.onChange} disabled={!canManage} />
            )}
          />
          {number("retry_attempts", "Retry attempts", `Retries on the same provider after a temporary failure (${FAILOVER_LIMITS.retry_attempts.min}–${FAILOVER_LIMITS.retry_attempts.max}).`)}
          {number("retry_delay_seconds", "Retry delay (seconds)", "0 retries at once; a provider's own Retry-After wins when longer.")}
          {number("max_age_hours", "Maximum age (hours)", "After this the email is marked failed with the reason.")}
        </fieldset>
        <div className="mt-5 rounded-md bg-slate-50 p-3 text-sm text-slate-800" aria-live="polite" data-testid="failover-summary">
          <span className="font-medium">When the first provider fails: </span>
          {summaryValid ? describeFailover(values, LABELS) : "fix the fields above to see the policy."}
        </div>
      </Card>
      <Card aria-labelledby="order-title">
        <CardTitle id="order-title">Priority order</CardTitle>
        <p className="mt-1 text-sm text-slate-600">Reorder with the buttons (Tab to a button, Enter or Space to press it).</p>
        <ol className="mt-3 space-y-2" aria-labelledby="order-title" data-testid="failover-order">
          {order.map((kind, index) => {
            const status = connectionStatus(providers.find((p) => p.kind === kind));
            return (
              <li key={kind} className="flex items-center justify-between gap-2 rounded-md border border-slate-200 px-3 py-2 text-sm">
                <span className="flex items-center gap-2">
                  <span className="font-medium">
                    {index + 1}. {LABELS[kind]}
                  </span>
                  <Badge tone={status.tone}>{status.text}</Badge>
                </span>
                {canManage ? (
                  <span className="flex gap-1">
                    <Button variant="ghost" size="sm" aria-label={`Move ${LABELS[kind]} up`} disabled={index === 0} onClick={() => move(index, -1)}>
                      <ArrowUp aria-hidden className="size-4" />
                    </Button>
                    <Button variant="ghost" size="sm" aria-label={`Move ${LABELS[kind]} down`} disabled={index === order.length - 1} onClick={() => move(index, 1)}>
                      <ArrowDown aria-hidden className="size-4" />
                    </Button>
                    <Button
                      variant="ghost"
                      size="sm"
                      aria-label={`Remove ${LABELS[kind]} from the order`}
                      disabled={order.length === 1}
                      onClick={() => setOrder(order.filter((k) => k !== kind), `${LABELS[kind]} removed from the order`)}
                    >
                      <X aria-hidden className="size-4" />
                    </Button>
                  </span>
                ) : null}
              </li>
            );
          })}
        </ol>
        {canManage
          ? PROVIDER_KINDS.filter((k) => !order.includes(k)).map((kind) => (
              <Button key={kind} variant="secondary" size="sm" className="mt-2 mr-2" onClick={() => setOrder([...order, kind], `${LABELS[kind]} added at position ${order.length + 1}`)}>
                <Plus aria-hidden className="size-3.5" /> Add {LABELS[kind]}
              </Button>
            ))
          : null}
        <p className="sr-only" aria-live="polite">
          {announcement}
        </p>
        {errors.order ? (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {errors.order.message}
          </p>
        ) : null}
      </Card>
      <div className="lg:col-span-2">
        <div role="alert" className="mb-3 text-sm text-red-700 empty:hidden">
          {refusal ?? ""}
        </div>
        {canManage ? (
          <Button type="submit" disabled={form.formState.isSubmitting}>
            Save failover
          </Button>
        ) : null}
      </div>
    </form>
  );
}
