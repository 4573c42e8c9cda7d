"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Eye, Power, Send, Trash2 } from "lucide-react";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import type { ProviderConfigSpec } from "@/lib/providers/config-spec";
import { api, ApiError } from "@/lib/console/api-client";
import { queryKeys, useFailover, useProviders, useRouting } from "@/lib/console/queries";
import { connectionStatus, formatTime, healthStatus, usageOf, verificationStatus, type FailoverView, type ProviderViewLike, type RoutingView } from "@/lib/console/provider-status";
import { ProviderForm } from "@/components/forms/providers/provider-form";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { CopyButton } from "@/components/ui/copy-button";
import { Field, inputClass } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";

interface Props {
  kind: ProviderKind;
  initial: { providers: ProviderViewLike[]; routing: RoutingView; failover: FailoverView };
  canManage: boolean;
}

export function ProviderDetailClient({ kind, initial, canManage }: Props) {
  const spec = providerConfigSpecs[kind];
  const providers = useProviders(initial.providers).data ?? initial.providers;
  const routing = useRouting(initial.routing).data ?? initial.routing;
  const failover = useFailover(initial.failover).data ?? initial.failover;
  const view = providers.find((p) => p.kind === kind);
  const queryClient = useQueryClient();
  const toast = useToast();

  const save = async (body: Record<string, unknown>) => {
    const saved = await api<ProviderViewLike>(`/api/v1/providers/${kind}`, { method: "PUT", body });
    queryClient.setQueryData<ProviderViewLike[]>(queryKeys.providers, (all = []) => [...all.filter((p) => p.kind !== kind), saved]);
    const verification = verificationStatus(saved);
    toast({ tone: "ok", title: `${spec.label} saved`, description: `Credentials accepted by ${spec.label}; verification: ${verification.text.toLowerCase()}.` });
  };

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <Card aria-labelledby="settings-title">
        <CardTitle id="settings-title">{view ? "Settings" : `Connect ${spec.label}`}</CardTitle>
        <p className="mt-1 text-sm text-slate-600">Saving checks the credentials with {spec.label} first; a refusal is shown here and nothing is stored.</p>
        <ProviderForm
          key={view?.updated_at ?? "new"}
          spec={spec}
          settings={view ? view.settings : null}
          secretHints={view?.credentials ?? {}}
          enabled={view?.enabled ?? true}
          readOnly={!canManage}
          onSave={save}
        />
      </Card>
      <div className="flex flex-col gap-6">
        {view ? <StatusCard view={view} uses={usageOf(kind, routing, failover)} /> : null}
        {view && view.webhook ? <WebhookCard kind={kind} view={view} canManage={canManage} /> : null}
        {view && !view.webhook ? (
          <Card aria-labelledby="webhook-title">
            <CardTitle id="webhook-title">Events</CardTitle>
            <p className="mt-2 text-sm text-slate-700">
              {spec.label} posts no webhooks: opens, clicks and unsubscribes are tracked by this app (its own pixel, signed links and one-click unsubscribe).
            </p>
          </Card>
        ) : null}
        {view && canManage ? <TestSendCard kind={kind} label={spec.label} defaultSender={defaultSenderOf(view.settings)} /> : null}
        {view && canManage ? <DangerCard kind={kind} label={spec.label} view={view} failover={failover} /> : null}
      </div>
    </div>
  );
}

function StatusCard({ view, uses }: { view: ProviderViewLike; uses: string[] }) {
  const connection = connectionStatus(view);
  const verification = verificationStatus(view);
  const health = healthStatus(view.health);
  const lastHour = view.health.last_hour;
  return (
    <Card aria-labelledby="status-title" data-testid="provider-status">
      <CardTitle id="status-title">Status</CardTitle>
      <div className="mt-3 flex flex-wrap gap-2">
        <Badge tone={connection.tone}>{connection.text}</Badge>
        <Badge tone={verification.tone}>{verification.text}</Badge>
        <span data-testid="provider-health">
          <Badge tone={health.tone}>{health.text}</Badge>
        </span>
      </div>
      {verification.pending.length ? (
        <>
          <h3 className="mt-3 text-sm font-medium text-slate-800">Pending at the provider</h3>
          <ul className="mt-1 list-disc pl-5 text-sm text-slate-700">
            {verification.pending.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </>
      ) : null}
      <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1.5 text-sm">
        <dt className="text-slate-600">Last hour</dt>
        <dd>{lastHour ? `${lastHour.successes} accepted · ${lastHour.failures} failed calls` : "—"}</dd>
        <dt className="text-slate-600">Failures in a row</dt>
        <dd>{view.health.consecutive_failures}</dd>
        <dt className="text-slate-600">Last error</dt>
        <dd data-testid="provider-last-error" className="break-words">
          {view.health.last_error ? `${view.health.last_error}${view.health.last_error_at ? ` (${formatTime(view.health.last_error_at)})` : ""}` : "None"}
        </dd>
        <dt className="text-slate-600">Used for</dt>
        <dd>{uses.length ? uses.join(" · ") : "Nothing routes here yet."}</dd>
        {view.verification.verified_at ? (
          <>
            <dt className="text-slate-600">Checked</dt>
            <dd>{formatTime(view.verification.verified_at)}</dd>
          </>
        ) : null}
      </dl>
    </Card>
  );
}

function WebhookCard({ kind, view, canManage }: { kind: ProviderKind; view: ProviderViewLike; canManage: boolean }) {
  const spec: ProviderConfigSpec = providerConfigSpecs[kind];
  const setup = spec.webhookSetup;
  const webhook = view.webhook!;
  const [revealed, setRevealed] = useState<Record<string, string> | null>(null);
  const reveal = useMutation({
    mutationFn: () => api<{ credentials: Record<string, string> }>(`/api/v1/providers/${kind}/webhook-credentials`),
    onSuccess: (data) => setRevealed(data.credentials),
  });
  const username = typeof webhook.username === "string" ? webhook.username : null;
  const signingKey = typeof webhook.signing_key_configured === "boolean" ? { configured: webhook.signing_key_configured, hint: view.credentials.webhook_signing_key } : null;
  return (
    <Card aria-labelledby="webhook-title" data-testid="webhook-panel">
      <CardTitle id="webhook-title">Webhook set-up</CardTitle>
      <p className="mt-1 text-sm text-slate-600">{setup?.where ?? `Add this URL to ${spec.label}'s webhooks.`}</p>
      <div className="mt-3">
        <p className="text-sm font-medium text-slate-800" id={`${kind}-webhook-url-label`}>
          Webhook URL
        </p>
        <div className="mt-1 flex items-center gap-2">
          <code aria-labelledby={`${kind}-webhook-url-label`} className="min-w-0 flex-1 rounded bg-slate-100 px-2 py-1 text-xs break-all" data-testid="webhook-url">
            {webhook.url}
          </code>
          <CopyButton value={webhook.url} label="webhook URL" />
        </div>
      </div>
      {username ? (
        <dl className="mt-3 grid grid-cols-[auto_1fr_auto] items-center gap-x-2 gap-y-1.5 text-sm">
          <dt className="text-slate-600">Basic-auth user</dt>
          <dd className="font-mono text-xs">{username}</dd>
          <dd>
            <CopyButton value={username} label="basic-auth user" />
          </dd>
          <dt className="text-slate-600">Basic-auth password</dt>
          <dd className="font-mono text-xs" data-testid="webhook-password">
            {revealed?.password ?? "••••••••"}
          </dd>
          <dd>
            {revealed?.password ? (
              <CopyButton value={revealed.password} label="basic-auth password" />
            ) : canManage ? (
              <Button variant="secondary" size="sm" onClick={() => reveal.mutate()} disabled={reveal.isPending}>
                <Eye aria-hidden className="size-3.5" /> Reveal
              </Button>
            ) : null}
          </dd>
        </dl>
      ) : null}
      {signingKey ? (
        <p className="mt-3 text-sm">
          Signing key:{" "}
          {signingKey.configured ? <Badge tone="ok">Stored{signingKey.hint ? ` (${signingKey.hint})` : ""}</Badge> : <Badge tone="bad">Missing: webhooks are refused until you add it</Badge>}
        </p>
      ) : null}
      {reveal.error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {reveal.error.message}
        </p>
      ) : null}
      {setup ? (
        <>
          <h3 className="mt-4 text-sm font-medium text-slate-800">Enable these events</h3>
          <ul className="mt-1 list-disc pl-5 text-sm text-slate-700">
            {setup.events.map((event) => (
              <li key={event}>{event}</li>
            ))}
          </ul>
          <p className="mt-2 text-xs text-slate-600">{setup.authentication}</p>
        </>
      ) : null}
    </Card>
  );
}

interface TestResult {
  status: "accepted" | "failed";
  provider: string;
  provider_message_id?: string;
  error_class?: string;
  message?: string;
  duration_ms: number;
}

function TestSendCard({ kind, label, defaultSender }: { kind: ProviderKind; label: string; defaultSender: string | null }) {
  const [to, setTo] = useState("");
  const [from, setFrom] = useState("");
  const send = useMutation({ mutationFn: () => api<TestResult>(`/api/v1/providers/${kind}/test`, { method: "POST", body: { to, ...(from.trim() ? { from: from.trim() } : {}) } }) });
  const issues = send.error instanceof ApiError ? send.error.fields : [];
  const fromError = issues.find((f) => f.field === "from")?.message;
  const fieldError = issues.find((f) => f.field === "to")?.message ?? (send.error && !fromError ? send.error.message : undefined);
  const result = send.data;
  return (
    <Card aria-labelledby="test-title">
      <CardTitle id="test-title">Send a test email</CardTitle>
      <p className="mt-1 text-sm text-slate-600">Goes through {label} only (no failover), and stays out of analytics and cost.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          send.mutate();
        }}
      >
        <Field id={`${kind}-test-to`} label="Send to" error={fieldError}>
          {(a11y) => <input {...a11y} type="email" value={to} onChange={(e) => setTo(e.target.value)} className={inputClass} placeholder="you@example.com" autoComplete="email" />}
        </Field>
        <Field id={`${kind}-test-from`} label="From" error={fromError} help={defaultSender ? `Empty: the default sender, ${defaultSender}.` : "An address on a domain or sender verified with this provider."}>
          {(a11y) => <input {...a11y} type="email" value={from} onChange={(e) => setFrom(e.target.value)} className={inputClass} placeholder={defaultSender ?? "sender@your-domain.com"} />}
        </Field>
        <Button type="submit" disabled={send.isPending || !to} className="mt-4">
          <Send aria-hidden className="size-4" /> {send.isPending ? "Sending…" : "Send test"}
        </Button>
      </form>
      <div role="status" data-testid="test-result" className="text-sm">
        {result?.status === "accepted" ? (
          <p>
            <Badge tone="ok">Accepted</Badge> by {label} in {result.duration_ms} ms — message id <code className="break-all">{result.provider_message_id}</code>
          </p>
        ) : result?.status === "failed" ? (
          <p>
            <Badge tone="bad">Refused ({result.error_class?.replace(/_/g, " ")})</Badge> {result.message}
          </p>
        ) : null}
      </div>
    </Card>
  );
}

function DangerCard({ kind, label, view, failover }: { kind: ProviderKind; label: string; view: ProviderViewLike; failover: FailoverView }) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const others = failover.enabled ? failover.order.filter((p) => p !== kind) : [];
  const queued = others.length
    ? `Mail queued for ${label} moves on along its failover chain (${others.map((k) => providerConfigSpecs[k].label).join(", ")}).`
    : `With no other provider in the failover chain, mail queued for ${label} waits, deferred, until a provider is available (up to the failover's maximum age).`;
  const onError = (err: Error) => toast({ tone: "bad", title: "That did not work", description: err.message });
  const toggle = useMutation({
    mutationFn: () => api<ProviderViewLike>(`/api/v1/providers/${kind}`, { method: "PATCH", body: { enabled: !view.enabled } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.providers });
      toast({ tone: "ok", title: view.enabled ? `${label} disabled` : `${label} enabled` });
    },
    onError,
  });
  const disconnect = useMutation({
    mutationFn: () => api<void>(`/api/v1/providers/${kind}`, { method: "DELETE" }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.providers });
      toast({ tone: "ok", title: `${label} disconnected`, description: "Its credentials are deleted." });
      router.push("/settings/integrations");
    },
    onError,
  });
  return (
    <Card aria-labelledby="danger-title">
      <CardTitle id="danger-title">Disable or disconnect</CardTitle>
      <div className="mt-3 flex flex-wrap gap-2">
        {view.enabled ? (
          <ConfirmDialog
            trigger={
              <Button variant="secondary">
                <Power aria-hidden className="size-4" /> Disable {label}
              </Button>
            }
            title={`Disable ${label}?`}
            confirmLabel={`Disable ${label}`}
            onConfirm={() => toggle.mutate()}
          >
            <p>The configuration is kept; routing and failover skip {label} until you enable it again.</p>
            <p>{queued}</p>
          </ConfirmDialog>
        ) : (
          <Button variant="secondary" onClick={() => toggle.mutate()} disabled={toggle.isPending}>
            <Power aria-hidden className="size-4" /> Enable {label}
          </Button>
        )}
        <ConfirmDialog
          trigger={
            <Button variant="danger">
              <Trash2 aria-hidden className="size-4" /> Disconnect {label}
            </Button>
          }
          title={`Disconnect ${label}?`}
          confirmLabel={`Disconnect ${label}`}
          onConfirm={() => disconnect.mutate()}
        >
          <p>Its credentials and settings are deleted; connecting again needs them anew.</p>
          <p>{queued}</p>
        </ConfirmDialog>
      </div>
    </Card>
  );
}

function defaultSenderOf(settings: unknown): string | null {
  const value = settings && typeof settings === "object" ? (settings as Record<string, unknown>).default_sender : null;
  return typeof value === "string" && value ? value : null;
}
