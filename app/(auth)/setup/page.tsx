import { redirect } from "next/navigation";
import { getDatabase } from "@/db";
import { isSetupNeeded } from "@/lib/workspaces/setup-workspace";
import { SetupForm } from "./client";

export const dynamic = "force-dynamic";

export default async function SetupPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  if (!(await isSetupNeeded(await getDatabase()))) redirect("/login");
  const { token } = await searchParams;
  return (
    <main className="mx-auto mt-24 max-w-md rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="text-2xl font-semibold">Welcome to PenguinMails</h1>
      <p className="mt-2 text-sm text-slate-600">Create your workspace and its owner account to get started. The set-up token is printed in the server&apos;s
        console when it starts.</p>
      <SetupForm token={typeof token === "string" ? token : ""} />
    </main>
  );
}
