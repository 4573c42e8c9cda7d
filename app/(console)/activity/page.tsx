import Link from "next/link";
import { requireConsole } from "@/lib/console/require-user";
import { listEmails } from "@/lib/sending/read-emails";
import { statusTone } from "@/lib/console/recipient-status";
import { formatTime, EMAIL_TYPE_LABELS } from "@/lib/console/provider-status";
import type { EmailType } from "@/lib/providers/provider-kind";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";

export const dynamic = "force-dynamic";

export default async function ActivityPage() {
  const { ctx } = await requireConsole();
  const { data } = await listEmails(ctx, { limit: "50" });
  type Row = (typeof data)[number];
  return (
    <>
      <PageHeader title="Activity" description="The 50 newest emails. Each email's hops, attempts and events are in GET /api/v1/emails/{id}; search and filters come to this page next." />
      <Table<Row>
        caption="Newest emails"
        rows={data}
        rowKey={(r) => r.id}
        columns={[
          { header: "Time", cell: (r) => formatTime(r.created_at) },
          { header: "Subject", cell: (r) => r.subject ?? <span className="text-slate-600">(no subject)</span> },
          { header: "Type", cell: (r) => EMAIL_TYPE_LABELS[r.type as EmailType] ?? r.type },
          { header: "Recipients", align: "right", cell: (r) => Object.values(r.recipient_counts).reduce((a, b) => a + b, 0) },
          { header: "Status", cell: (r) => <Badge tone={statusTone(r.status)}>{r.status}</Badge> },
          { header: "Id", cell: (r) => <code className="text-xs">{r.id}</code> },
        ]}
        empty={
          <>
            No emails yet. Connect a provider in <Link className="text-sky-800 underline" href="/settings/integrations">Integrations</Link>, create an{" "}
            <Link className="text-sky-800 underline" href="/settings/api-keys">API key</Link> and send with POST /api/v1/emails/send.
          </>
        }
      />
    </>
  );
}
