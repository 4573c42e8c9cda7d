import { requireConsole } from "@/lib/console/require-user";
import { atLeast } from "@/lib/auth/roles";
import { listDomains } from "@/lib/domains/list-domains";
import { PageHeader } from "@/components/ui/card";
import { DomainsClient } from "./client";

export const dynamic = "force-dynamic";

export default async function DomainsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user, ctx } = await requireConsole();
  const [{ data }, params] = await Promise.all([listDomains(ctx), searchParams]);
  const selected = typeof params.domain === "string" ? params.domain.toLowerCase() : null;
  return (
    <>
      <PageHeader
        title="Domains"
        description="The DNS records each provider needs for your sending domains, checked against DNS by this app: expected next to what DNS answers, and the mailbox providers' sender rules. Unverified domains are checked every 15 minutes, verified ones daily."
      />
      <DomainsClient initial={data} selected={selected} canCheck={atLeast(user.role, "member")} canManage={atLeast(user.role, "admin")} role={user.role} />
    </>
  );
}
