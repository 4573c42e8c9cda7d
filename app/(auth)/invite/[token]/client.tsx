"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { api, ApiError } from "@/lib/console/api-client";
import { switchWorkspace } from "@/lib/console/switch-workspace";
import { newAccountSchema } from "@/lib/workspaces/member-schema";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";

interface Pending {
  email: string;
  workspace_id: string;
  existing_user: boolean;
}

const newAccountForm = newAccountSchema
  .extend({ confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The passwords do not match" });
const signInForm = z.object({ password: z.string().min(1, "Enter your password") });

/** Accept, then sign in (new account) and make the invited workspace the active one, then open the console. */
async function enter(workspaceId: string) {
  await switchWorkspace(workspaceId);
  window.location.assign("/");
}

async function signInAs(email: string, password: string): Promise<string | null> {
  const result = await signIn("credentials", { email, password, redirect: false });
  if (!result || result.error) return result?.error?.startsWith("Too many sign-in attempts.") ? result.error : "Wrong password.";
  return null;
}

export function AcceptInvitation({ token, invitation, signedInAs }: { token: string; invitation: Pending; signedInAs: string | null }) {
  if (!invitation.existing_user) return <NewAccount token={token} invitation={invitation} />;
  if (signedInAs === invitation.email) return <AcceptSignedIn token={token} invitation={invitation} />;
  return <SignInToAccept token={token} invitation={invitation} signedInAs={signedInAs} />;
}

function Refusal({ message }: { message: string | null }) {
  return (
    <p role="alert" className="mt-4 rounded-md bg-red-50 p-3 text-sm text-red-700 empty:hidden">
      {message ?? ""}
    </p>
  );
}

function NewAccount({ token, invitation }: { token: string; invitation: Pending }) {
  const [refusal, setRefusal] = useState<string | null>(null);
  const form = useForm<z.input<typeof newAccountForm>>({ defaultValues: { name: "", password: "", confirm: "" }, resolver: zodResolver(newAccountForm) as never });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(async ({ name, password }) => {
    setRefusal(null);
    try {
      await api("/api/v1/invitations/accept", { method: "POST", body: { token, password, name: name || undefined } });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      for (const issue of err.fields) form.setError(issue.field as "password", { message: issue.message });
      setRefusal(err.message);
      return;
    }
    const failed = await signInAs(invitation.email, password);
    if (failed) return setRefusal(`Your account is ready, but signing in failed: ${failed}`);
    await enter(invitation.workspace_id);
  });
  return (
    <form onSubmit={submit} noValidate className="mt-4">
      <p className="text-sm text-slate-700">Create your account: choose a password for {invitation.email}.</p>
      <Field id="invite-name" label="Your name (optional)">
        {(a11y) => <input {...a11y} autoComplete="name" className={inputClass} {...form.register("name")} />}
      </Field>
      <Field id="invite-password" label="Password" help="At least 8 characters." error={errors.password?.message}>
        {(a11y) => <input {...a11y} type="password" autoComplete="new-password" className={inputClass} {...form.register("password")} />}
      </Field>
      <Field id="invite-confirm" label="Repeat the password" error={errors.confirm?.message}>
        {(a11y) => <input {...a11y} type="password" autoComplete="new-password" className={inputClass} {...form.register("confirm")} />}
      </Field>
      <Refusal message={refusal} />
      <Button type="submit" disabled={form.formState.isSubmitting} className="mt-6 w-full">
        Create account and join
      </Button>
    </form>
  );
}

function SignInToAccept({ token, invitation, signedInAs }: { token: string; invitation: Pending; signedInAs: string | null }) {
  const [refusal, setRefusal] = useState<string | null>(null);
  const form = useForm<z.input<typeof signInForm>>({ defaultValues: { password: "" }, resolver: zodResolver(signInForm) as never });
  const submit = form.handleSubmit(async ({ password }) => {
    setRefusal(null);
    const failed = await signInAs(invitation.email, password);
    if (failed) return setRefusal(failed);
    await accept(token, invitation, setRefusal);
  });
  return (
    <form onSubmit={submit} noValidate className="mt-4">
      <p className="text-sm text-slate-700">
        {invitation.email} already has an account: sign in to accept.
        {signedInAs ? ` This browser is signed in as ${signedInAs}; signing in as ${invitation.email} replaces that session.` : ""}
      </p>
      <Field id="invite-email" label="Email">
        {(a11y) => <input {...a11y} type="email" value={invitation.email} readOnly className={inputClass} />}
      </Field>
      <Field id="invite-password" label="Password" error={form.formState.errors.password?.message}>
        {(a11y) => <input {...a11y} type="password" autoComplete="current-password" className={inputClass} {...form.register("password")} />}
      </Field>
      <Refusal message={refusal} />
      <Button type="submit" disabled={form.formState.isSubmitting} className="mt-6 w-full">
        Sign in and join
      </Button>
    </form>
  );
}

function AcceptSignedIn({ token, invitation }: { token: string; invitation: Pending }) {
  const [refusal, setRefusal] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  return (
    <div className="mt-4">
      <p className="text-sm text-slate-700">You are signed in as {invitation.email}.</p>
      <Refusal message={refusal} />
      <Button
        className="mt-6 w-full"
        disabled={pending}
        onClick={async () => {
          setPending(true);
          await accept(token, invitation, setRefusal);
          setPending(false);
        }}
      >
        Accept and join
      </Button>
    </div>
  );
}

async function accept(token: string, invitation: Pending, setRefusal: (message: string) => void) {
  try {
    await api("/api/v1/invitations/accept", { method: "POST", body: { token } });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return setRefusal(err.message);
  }
  await enter(invitation.workspace_id);
}
