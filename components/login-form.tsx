"use client";

import { useState } from "react";
import { signIn } from "next-auth/react";
import { FormField, SubmitButton } from "./form-field";

export function LoginForm() {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    const form = new FormData(event.currentTarget);
    const result = await signIn("credentials", { email: form.get("email"), password: form.get("password"), redirect: false });
    setPending(false);
    if (!result || result.error) {
      setError(result?.error?.startsWith("Too many sign-in attempts.") ? result.error : "Wrong email or password.");
      return;
    }
    window.location.assign("/");
  }

  return (
    <form onSubmit={onSubmit} className="mt-6">
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <FormField label="Email" name="email" type="email" autoComplete="email" />
      <FormField label="Password" name="password" type="password" autoComplete="current-password" />
      <SubmitButton pending={pending}>Sign in</SubmitButton>
    </form>
  );
}
