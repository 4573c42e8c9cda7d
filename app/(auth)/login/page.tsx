import { redirect } from "next/navigation";
import { getDatabase } from "@/db";
import { isSetupNeeded } from "@/lib/workspaces/setup-workspace";
import { LoginForm } from "@/components/login-form";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ setup?: string }> }) {
  if (await isSetupNeeded(await getDatabase())) redirect("/setup");
  const { setup } = await searchParams;
  return (
    <main className="mx-auto mt-24 max-w-md rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      {setup === "done" ? <p className="mt-2 text-sm text-emerald-700">Your workspace is ready. Sign in to continue.</p> : null}
      <LoginForm />
    </main>
  );
}
