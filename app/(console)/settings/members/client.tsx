"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { useState } from "react";
import { Mail, Trash2, UserPlus, X } from "lucide-react";
import type { z } from "zod";
import type { Role } from "@/db/schema/workspaces";
import { api, ApiError } from "@/lib/console/api-client";
import { memberQueryKeys, useInvitations, useMembers, type InvitationView, type MemberView } from "@/lib/console/member-queries";
import { formatTime } from "@/lib/console/provider-status";
import { canAssignRole, canManageMember, inviteSchema, MEMBER_ROLES, ROLE_DESCRIPTIONS } from "@/lib/workspaces/member-schema";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { CopyButton } from "@/components/ui/copy-button";
import { Field, inputClass } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";

type Sender = { from: string; provider: string } | { from: null; reason: string };
type Me = { userId: string; role: Role };
type InviteResult = {
  invitation: InvitationView;
  url: string;
  email: { status: "queued"; message_id: string; from: string } | { status: "not_sent"; reason: string };
};

const roleTone = (role: Role) => (role === "owner" || role === "admin" ? "info" : "neutral");

export function MembersClient({ initial, me, sender }: { initial: { members: MemberView[]; invitations: InvitationView[] }; me: Me; sender: Sender }) {
  const members = useMembers(initial.members).data ?? initial.members;
  const invitations = useInvitations(initial.invitations).data ?? initial.invitations;
  const canManage = canAssignRole(me.role, "viewer");
  return (
    <div className="flex flex-col gap-6">
      {canManage ? <InviteCard me={me} sender={sender} /> : null}
      <section aria-labelledby="members-title">
        <h2 id="members-title" className="mb-2 text-base font-semibold text-slate-900">
          Members ({members.length})
        </h2>
        <MembersTable members={members} me={me} />
      </section>
      <section aria-labelledby="invitations-title">
        <h2 id="invitations-title" className="mb-2 text-base font-semibold text-slate-900">
          Pending invitations ({invitations.length})
        </h2>
        <InvitationsTable invitations={invitations} me={me} />
      </section>
    </div>
  );
}

function InviteCard({ me, sender }: { me: Me; sender: Sender }) {
  const queryClient = useQueryClient();
  const [result, setResult] = useState<InviteResult | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const form = useForm<z.input<typeof inviteSchema>>({ defaultValues: { email: "", role: "member" }, resolver: zodResolver(inviteSchema) as never });
  const errors = form.formState.errors;
  const roles = MEMBER_ROLES.filter((r) => canAssignRole(me.role, r));

  const submit = form.handleSubmit(async (input) => {
    setRefusal(null);
    setResult(null);
    try {
      const created = await api<InviteResult>("/api/v1/invitations", { method: "POST", body: input });
      setResult(created);
      form.reset({ email: "", role: input.role });
      await queryClient.invalidateQueries({ queryKey: memberQueryKeys.invitations });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      for (const issue of err.fields) form.setError(issue.field as "email" | "role", { message: issue.message });
      setRefusal(err.message);
    }
  });

  return (
    <Card aria-labelledby="invite-title">
      <CardTitle id="invite-title">Invite someone</CardTitle>
      <p className="mt-1 text-sm text-slate-600" data-testid="invite-delivery">
        {sender.from !== null ? (
          <>
            The invitation is emailed from <strong>{sender.from}</strong> through {sender.provider} (this workspace&apos;s transactional route), and its link is shown
            here to copy.
          </>
        ) : (
          <>Invitations are not emailed: {sender.reason}. Copy the link shown after inviting and send it yourself.</>
        )}
      </p>
      <form onSubmit={submit} noValidate className="flex flex-wrap items-start gap-3">
        <Field id="invite-email" label="Email address" error={errors.email?.message} className="min-w-72 flex-1">
          {(a11y) => <input {...a11y} type="email" autoComplete="off" placeholder="colleague@example.com" className={inputClass} {...form.register("email")} />}
        </Field>
        <Field id="invite-role" label="Role" error={errors.role?.message} help={ROLE_DESCRIPTIONS[form.watch("role") as Role] ?? ""}>
          {(a11y) => (
            <select {...a11y} className={inputClass} {...form.register("role")}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Button type="submit" disabled={form.formState.isSubmitting} className="mt-10">
          <UserPlus aria-hidden className="size-4" /> Invite
        </Button>
      </form>
      <div role="alert" className="mt-2 text-sm text-red-700 empty:hidden">
        {refusal ?? ""}
      </div>
      <div role="status">
        {result ? (
          <div className="mt-4 rounded-md border border-sky-300 bg-sky-50 p-4 text-sm" data-testid="invitation-result">
            <p className="font-medium text-slate-900">
              Invitation for {result.invitation.email} ({result.invitation.role}) — the link works once, until {formatTime(result.invitation.expires_at)}. It is shown
              only now.
            </p>
            <div className="mt-2 flex items-center gap-2">
              <code data-testid="invitation-link" className="min-w-0 flex-1 rounded bg-white p-2 font-mono break-all">
                {result.url}
              </code>
              <CopyButton value={result.url} label="invitation link" />
            </div>
            <p className="mt-2 flex items-center gap-1.5 text-slate-700" data-testid="invitation-email-status">
              <Mail aria-hidden className="size-4" />
              {result.email.status === "queued" ? `Emailed from ${result.email.from}.` : `Not emailed: ${result.email.reason}. Send the link yourself.`}
            </p>
          </div>
        ) : null}
      </div>
    </Card>
  );
}

function MembersTable({ members, me }: { members: MemberView[]; me: Me }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const refresh = () => queryClient.invalidateQueries({ queryKey: memberQueryKeys.members });
  const fail = (title: string) => (err: unknown) => {
    toast({ tone: "bad", title, description: err instanceof Error ? err.message : String(err) });
    void refresh();
  };

  const changeRole = async (member: MemberView, role: Role) => {
    try {
      await api(`/api/v1/members/${encodeURIComponent(member.user_id)}`, { method: "PATCH", body: { role } });
      toast({ tone: "ok", title: "Role changed", description: `${member.email} is now ${role}.` });
      await refresh();
    } catch (err) {
      fail("Role not changed")(err);
    }
  };
  const remove = async (member: MemberView) => {
    try {
      await api(`/api/v1/members/${encodeURIComponent(member.user_id)}`, { method: "DELETE" });
      toast({ tone: "ok", title: "Member removed", description: `${member.email} no longer has access to this workspace.` });
      if (member.user_id === me.userId) window.location.assign("/");
      else await refresh();
    } catch (err) {
      fail("Member not removed")(err);
    }
  };

  return (
    <Table<MemberView>
      caption="Workspace members"
      rows={members}
      rowKey={(m) => m.user_id}
      columns={[
        { header: "Email", cell: (m) => (m.user_id === me.userId ? `${m.email} (you)` : m.email) },
        {
          header: "Role",
          cell: (m) =>
            canManageMember(me.role, m.role) ? (
              <select
                aria-label={`Role of ${m.email}`}
                value={m.role}
                onChange={(e) => void changeRole(m, e.target.value as Role)}
                className={`${inputClass} w-32 py-1`}
              >
                {MEMBER_ROLES.filter((r) => r === m.role || canAssignRole(me.role, r)).map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            ) : (
              <Badge tone={roleTone(m.role)}>{m.role}</Badge>
            ),
        },
        { header: "Can", cell: (m) => ROLE_DESCRIPTIONS[m.role] },
        { header: "Joined", cell: (m) => formatTime(m.joined_at) },
        {
          header: "Actions",
          cell: (m) =>
            canManageMember(me.role, m.role) ? (
              <ConfirmDialog
                title={m.user_id === me.userId ? "Leave this workspace?" : `Remove ${m.email}?`}
                confirmLabel={m.user_id === me.userId ? "Leave" : "Remove"}
                onConfirm={() => void remove(m)}
                trigger={
                  <Button variant="secondary" size="sm" aria-label={`Remove ${m.email}`}>
                    <Trash2 aria-hidden className="size-3.5" /> Remove
                  </Button>
                }
              >
                <p>
                  {m.user_id === me.userId ? "You" : m.email} will lose access to this workspace at once: the next page or API call is refused. Their account and
                  their other workspaces stay. The last owner cannot be removed.
                </p>
              </ConfirmDialog>
            ) : null,
        },
      ]}
      empty="No members."
    />
  );
}

function InvitationsTable({ invitations, me }: { invitations: InvitationView[]; me: Me }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const revoke = async (invitation: InvitationView) => {
    try {
      await api(`/api/v1/invitations/${encodeURIComponent(invitation.id)}`, { method: "DELETE" });
      toast({ tone: "ok", title: "Invitation revoked", description: `The link sent to ${invitation.email} no longer works.` });
    } catch (err) {
      toast({ tone: "bad", title: "Invitation not revoked", description: err instanceof Error ? err.message : String(err) });
    }
    await queryClient.invalidateQueries({ queryKey: memberQueryKeys.invitations });
  };
  return (
    <Table<InvitationView>
      caption="Pending invitations"
      rows={invitations}
      rowKey={(i) => i.id}
      columns={[
        { header: "Email", cell: (i) => i.email },
        { header: "Role", cell: (i) => <Badge tone={roleTone(i.role)}>{i.role}</Badge> },
        { header: "Status", cell: (i) => (i.status === "pending" ? <Badge tone="warn">Pending</Badge> : <Badge tone="bad">Expired</Badge>) },
        { header: "Invited by", cell: (i) => i.invited_by ?? "API key" },
        { header: "Expires", cell: (i) => formatTime(i.expires_at) },
        {
          header: "Actions",
          cell: (i) =>
            canAssignRole(me.role, i.role) ? (
              <ConfirmDialog
                title={`Revoke the invitation for ${i.email}?`}
                confirmLabel="Revoke"
                onConfirm={() => void revoke(i)}
                trigger={
                  <Button variant="secondary" size="sm" aria-label={`Revoke the invitation for ${i.email}`}>
                    <X aria-hidden className="size-3.5" /> Revoke
                  </Button>
                }
              >
                <p>The link stops working at once. To invite {i.email} again later, send a new invitation.</p>
              </ConfirmDialog>
            ) : null,
        },
      ]}
      empty={canAssignRole(me.role, "viewer") ? "No pending invitations. Invite someone above: they get a link that works once." : "No pending invitations."}
    />
  );
}
