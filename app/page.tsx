import Link from "next/link";
import { requireUser } from "@/lib/auth/require-user";
import { AppShell } from "@/components/app-shell";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const user = await requireUser();
  return (
    <AppShell user={user}>
      <h1 className="text-2xl font-semibold">Overview</h1>
      <p className="mt-2 text-slate-600">
        Connect your providers and create an API key to start sending. <Link href="/settings/api-keys" className="text-sky-700 underline">Manage API keys</Link>.
      </p>
    </AppShell>
  );
}
