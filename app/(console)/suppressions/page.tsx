import { requireConsole } from "@/lib/console/require-user";
import { listSuppressions } from "@/lib/suppressions/list-suppressions";
import { formatTime } from "@/lib/console/provider-status";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";

export const dynamic = "force-dynamic";

export default async function SuppressionsPage() {
  const { ctx } = await requireConsole();
  const { data } = await listSuppressions(ctx, { limit: 50 });
  type Row = (typeof data)[number];
  return (
    <>
      <PageHeader
        title="Suppressions"
        description="Addresses no email is sent to: hard bounces, complaints and unsubscribes arrive from webhooks on their own. The 50 newest are shown; add, import and export through /api/v1/suppressions until this page manages them."
      />
      <Table<Row>
        caption="Suppressed addresses"
        rows={data}
        rowKey={(r) => r.email}
        columns={[
          { header: "Address", cell: (r) => r.email },
          { header: "Reason", cell: (r) => <Badge tone={r.reason === "manual" ? "neutral" : "bad"}>{r.reason.replace(/_/g, " ")}</Badge> },
          { header: "Since", cell: (r) => formatTime(r.created_at) },
          { header: "Expires", cell: (r) => (r.expires_at ? formatTime(r.expires_at) : "Never") },
        ]}
        empty="No suppressed addresses. Bounces, complaints and unsubscribes reported by your providers' webhooks appear here."
      />
    </>
  );
}
