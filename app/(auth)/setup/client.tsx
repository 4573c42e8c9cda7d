"use client";

import { useActionState } from "react";
import { setupAction, type FormState } from "./actions";
import { FormField, SubmitButton } from "@/components/form-field";

export function SetupForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(setupAction, {});
  return (
    <form action={action} className="mt-6">
      {state.error ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700">
          {state.error}
        </p>
      ) : null}
      <FormField label="Set-up token" name="token" defaultValue={token} autoComplete="off" error={state.fields?.token} />
      <FormField label="Workspace name" name="workspace" error={state.fields?.workspace} />
      <FormField label="Your email" name="email" type="email" autoComplete="email" error={state.fields?.email} />
      <FormField label="Password" name="password" type="password" autoComplete="new-password" error={state.fields?.password} />
      <SubmitButton pending={pending}>Create workspace</SubmitButton>
    </form>
  );
}
