import { formatCount, healthOf, rateWithCount, type DeliverabilityRow, type GroupedRow } from "@/lib/console/deliverability-view";
import { Badge } from "@/components/ui/badge";
import { Table, type Column } from "@/components/ui/table";

export interface NamedRow {
  key: string;
  name: string;
  row: DeliverabilityRow;
  total?: boolean;
}

/** The seeds' comparison columns (plus complaints and unsubscribes): each rate with the count it is made of. */
function figureColumns(): Column<NamedRow>[] {
  return [
    { header: "Sent", align: "right", cell: (r) => formatCount(r.row.sent) },
    { header: "Delivered", align: "right", cell: (r) => nowrap(rateWithCount(r.row.delivered_rate, r.row.delivered)) },
    { header: "Bounced", align: "right", cell: (r) => nowrap(rateWithCount(r.row.bounce_rate, r.row.bounced)) },
    { header: "Opened", align: "right", cell: (r) => nowrap(rateWithCount(r.row.open_rate, r.row.opened)) },
    { header: "Clicked", align: "right", cell: (r) => nowrap(rateWithCount(r.row.click_rate, r.row.clicked)) },
    { header: "Complaints", align: "right", cell: (r) => nowrap(rateWithCount(r.row.complaint_rate, r.row.complained)) },
    { header: "Unsubscribes", align: "right", cell: (r) => nowrap(rateWithCount(r.row.unsubscribe_rate, r.row.unsubscribed)) },
  ];
}

function HealthCell({ row }: { row: DeliverabilityRow }) {
  const bounce = healthOf("bounce_rate", row.bounce_rate, row.sent);
  if (bounce.level === "not_judged") return <Badge tone="neutral">{bounce.short}</Badge>;
  const complaint = healthOf("complaint_rate", row.complaint_rate, row.sent);
  return (
    <span className="flex flex-col items-start gap-1">
      <Badge tone={bounce.tone} className="whitespace-nowrap">
        Bounces: {bounce.short}
      </Badge>
      <Badge tone={complaint.tone} className="whitespace-nowrap">
        Complaints: {complaint.short}
      </Badge>
    </span>
  );
}

const nameCell = (r: NamedRow) => <span className="whitespace-nowrap">{r.total ? <strong>{r.name}</strong> : r.name}</span>;
const nowrap = (text: string) => <span className="whitespace-nowrap">{text}</span>;

/** A breakdown (per provider, per recipient domain): the name, the seeds' figures, and the health. */
function BreakdownTable({ testId, caption, nameHeader, rows, empty }: { testId: string; caption: string; nameHeader: string; rows: NamedRow[]; empty: React.ReactNode }) {
  return (
    <div data-testid={testId}>
      <Table<NamedRow>
        caption={caption}
        rows={rows}
        rowKey={(r) => r.key}
        columns={[{ header: nameHeader, cell: nameCell }, ...figureColumns(), { header: "Health", cell: (r) => <HealthCell row={r.row} /> }]}
        empty={empty}
      />
    </div>
  );
}

export const ProviderComparisonTable = (props: { rows: NamedRow[]; empty: React.ReactNode }) => (
  <BreakdownTable testId="provider-comparison" caption="Deliverability per provider: each rate with its count" nameHeader="Provider" {...props} />
);

const DOMAIN_LABELS: Record<string, string> = { gmail: "Gmail", yahoo: "Yahoo", outlook: "Outlook / Hotmail", other: "Other domains" };

export const recipientDomainRows = (rows: GroupedRow[]): NamedRow[] =>
  rows.map((r) => ({ key: String(r.recipient_domain), name: DOMAIN_LABELS[String(r.recipient_domain)] ?? String(r.recipient_domain), row: r }));

export const RecipientDomainTable = (props: { rows: NamedRow[]; empty: React.ReactNode }) => (
  <BreakdownTable testId="recipient-domains" caption="Deliverability per recipient mailbox provider" nameHeader="Recipient domain" {...props} />
);
