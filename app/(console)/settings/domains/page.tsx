import Link from "next/link";
import { requireConsole } from "@/lib/console/require-user";
import { listProviderViews } from "@/lib/providers/provider-configs";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { formatTime } from "@/lib/console/provider-status";
import { Badge } from "@/components/ui/badge";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";

export const dynamic = "force-dynamic";

export default async function DomainsPage() {
  const { ctx } = await requireConsole();
  const providers = await listProviderViews(ctx);
  const rows = providers.flatMap((p) => p.verification.records.map((r) => ({ ...r, provider: p.kind, checkedAt: p.verification.verified_at })));
  type Row = (typeof rows)[number];
  return (
    <>
      <PageHeader
        title="Domains"
        description="The DNS records your providers report for your sending domains, as of the last save. Our own DNS checks (SPF, DKIM, DMARC against public DNS) come to this page next."
      />
      {providers.length === 0 ? (
        <EmptyState title="No provider connected">
          Connect one in{" "}
          <Link className="text-sky-800 underline" href="/settings/integrations">
            Integrations
          </Link>
          ; the records it needs appear here.
        </EmptyState>
      ) : (
        <Table<Row>
          caption="DNS records reported by providers"
          rows={rows}
          rowKey={(r) => `${r.provider}:${r.kind}:${r.name}`}
          columns={[
            { header: "Provider", cell: (r) => providerConfigSpecs[r.provider].label },
            { header: "Record", cell: (r) => r.kind.replace(/_/g, " ") },
            { header: "Name", cell: (r) => <code className="text-xs break-all">{r.name}</code> },
            { header: "Type", cell: (r) => r.recordType ?? "—" },
            { header: "Value", cell: (r) => (r.value ? <code className="text-xs break-all">{r.value}</code> : "—") },
            { header: "Status", cell: (r) => <Badge tone={r.status === "verified" ? "ok" : r.status === "pending" ? "warn" : "bad"}>{r.status}</Badge> },
            { header: "Checked", cell: (r) => (r.checkedAt ? formatTime(r.checkedAt) : "—") },
          ]}
          empty="Your providers reported no DNS records (an SMTP relay has none; Postmark reports them with an account token)."
        />
      )}
    </>
  );
}
