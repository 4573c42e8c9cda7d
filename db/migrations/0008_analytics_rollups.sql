CREATE TABLE "analytics_deltas" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "analytics_deltas_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" text NOT NULL,
	"message_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"provider" text NOT NULL,
	"first_provider" text NOT NULL,
	"recipient_domain" text NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	"delivered" integer DEFAULT 0 NOT NULL,
	"hard_bounced" integer DEFAULT 0 NOT NULL,
	"soft_bounced" integer DEFAULT 0 NOT NULL,
	"complained" integer DEFAULT 0 NOT NULL,
	"opened" integer DEFAULT 0 NOT NULL,
	"opens_total" integer DEFAULT 0 NOT NULL,
	"machine_opens" integer DEFAULT 0 NOT NULL,
	"clicked" integer DEFAULT 0 NOT NULL,
	"clicks_total" integer DEFAULT 0 NOT NULL,
	"unsubscribed" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"suppressed" integer DEFAULT 0 NOT NULL,
	"deferred" integer DEFAULT 0 NOT NULL,
	"failovers" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_rollups" (
	"workspace_id" text NOT NULL,
	"dim" text NOT NULL,
	"dim_value" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"provider" text NOT NULL,
	"first_provider" text NOT NULL,
	"type" text NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	"delivered" integer DEFAULT 0 NOT NULL,
	"hard_bounced" integer DEFAULT 0 NOT NULL,
	"soft_bounced" integer DEFAULT 0 NOT NULL,
	"complained" integer DEFAULT 0 NOT NULL,
	"opened" integer DEFAULT 0 NOT NULL,
	"opens_total" integer DEFAULT 0 NOT NULL,
	"machine_opens" integer DEFAULT 0 NOT NULL,
	"clicked" integer DEFAULT 0 NOT NULL,
	"clicks_total" integer DEFAULT 0 NOT NULL,
	"unsubscribed" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"suppressed" integer DEFAULT 0 NOT NULL,
	"deferred" integer DEFAULT 0 NOT NULL,
	"failovers" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_rollups_workspace_id_dim_dim_value_hour_provider_first_provider_type_pk" PRIMARY KEY("workspace_id","dim","dim_value","hour","provider","first_provider","type")
);
--> statement-breakpoint
ALTER TABLE "workspace_settings" ADD COLUMN "timezone" text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE "message_recipients" ADD COLUMN "opened_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "message_recipients" ADD COLUMN "clicked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "message_recipients" ADD COLUMN "unsubscribed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "message_recipients" ADD COLUMN "soft_bounced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "message_recipients" ADD COLUMN "opens" integer;--> statement-breakpoint
ALTER TABLE "message_recipients" ADD COLUMN "clicks" integer;--> statement-breakpoint
ALTER TABLE "message_recipients" ADD COLUMN "machine_opens" integer;--> statement-breakpoint
ALTER TABLE "analytics_rollups" ADD CONSTRAINT "analytics_rollups_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Analytics (lib/analytics/README.md): a recipient's contribution to the deliverability figures is a pure function of
-- its row; triggers append (new contribution − old contribution) to analytics_deltas whenever a row changes.
CREATE FUNCTION "pm_recipient_domain_group"(email text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN d IN ('gmail.com', 'googlemail.com') THEN 'gmail'
    WHEN d ~ '^(yahoo|ymail|rocketmail|aol)\.[a-z]{2,3}(\.[a-z]{2})?$' THEN 'yahoo'
    WHEN d ~ '^(outlook|hotmail|live|msn)\.[a-z]{2,3}(\.[a-z]{2})?$' THEN 'outlook'
    ELSE 'other' END
  FROM (SELECT lower(split_part(email, '@', 2)) AS d) s
$$;
--> statement-breakpoint
CREATE TYPE "pm_analytics_vec" AS (
  hour timestamptz, provider text, first_provider text, recipient_domain text,
  sent int, delivered int, hard_bounced int, soft_bounced int, complained int, opened int, opens_total int,
  machine_opens int, clicked int, clicks_total int, unsubscribed int, failed int, suppressed int, deferred int,
  failovers int
);
--> statement-breakpoint
-- NULL for rows that count nowhere yet (queued, sending, cancelled). Definitions: README "Deliverability metrics".
-- PL/pgSQL rather than SQL: the triggers call it twice per changed row, and its plan is cached per session.
CREATE FUNCTION "pm_analytics_vec"(r message_recipients) RETURNS pm_analytics_vec LANGUAGE plpgsql STABLE AS $$
DECLARE
  dlv boolean;
  v pm_analytics_vec;
BEGIN
  IF r.status IN ('queued', 'sending', 'cancelled') THEN RETURN NULL; END IF;
  -- Delivered: the ESP said so, or a complaint, open, click or unsubscribe shows the mail arrived.
  dlv := r.status IN ('delivered', 'complained')
      OR (r.status = 'sent' AND (r.opened_at IS NOT NULL OR r.clicked_at IS NOT NULL OR r.unsubscribed_at IS NOT NULL));
  v.hour := date_trunc('hour', coalesce(r.sent_at, r.created_at), 'UTC');
  v.first_provider := coalesce(r.chain->>0, r.provider, '');
  v.provider := coalesce(r.provider, v.first_provider);
  v.recipient_domain := pm_recipient_domain_group(r.email);
  v.sent := (r.sent_at IS NOT NULL)::int;
  v.delivered := dlv::int;
  v.hard_bounced := (r.status = 'bounced')::int;
  v.soft_bounced := (r.soft_bounced_at IS NOT NULL AND r.status NOT IN ('bounced', 'failed') AND NOT dlv)::int;
  v.complained := (r.status = 'complained')::int;
  v.opened := (dlv AND r.opened_at IS NOT NULL)::int;
  v.opens_total := coalesce(r.opens, 0);
  v.machine_opens := coalesce(r.machine_opens, 0);
  v.clicked := (dlv AND r.clicked_at IS NOT NULL)::int;
  v.clicks_total := coalesce(r.clicks, 0);
  v.unsubscribed := (dlv AND r.unsubscribed_at IS NOT NULL)::int;
  v.failed := (r.status = 'failed')::int;
  v.suppressed := (r.status = 'suppressed')::int;
  v.deferred := (r.status = 'deferred')::int;
  v.failovers := (r.sent_at IS NOT NULL AND r.provider IS DISTINCT FROM r.chain->>0)::int;
  RETURN v;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "pm_analytics_recipient_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o pm_analytics_vec;
  n pm_analytics_vec;
BEGIN
  -- `analytics rebuild` recomputes engagement columns and then every contribution: no deltas for its own writes.
  IF current_setting('pm.analytics_rebuild', true) = 'on' THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' THEN o := pm_analytics_vec(OLD); END IF;
  n := pm_analytics_vec(NEW);
  IF o IS NOT DISTINCT FROM n THEN RETURN NULL; END IF;
  -- One statement: −old and +new, summed per rollup key (one row when the key is the same, two when the recipient
  -- moved to another hour or provider). The two contributions travel as two composite parameters, not 40 fields.
  INSERT INTO analytics_deltas (workspace_id, message_id, hour, provider, first_provider, recipient_domain, sent, delivered,
      hard_bounced, soft_bounced, complained, opened, opens_total, machine_opens, clicked, clicks_total, unsubscribed, failed,
      suppressed, deferred, failovers)
  SELECT NEW.workspace_id, NEW.message_id, (v).hour, (v).provider, (v).first_provider, (v).recipient_domain,
      sum(s * (v).sent), sum(s * (v).delivered), sum(s * (v).hard_bounced), sum(s * (v).soft_bounced), sum(s * (v).complained),
      sum(s * (v).opened), sum(s * (v).opens_total), sum(s * (v).machine_opens), sum(s * (v).clicked), sum(s * (v).clicks_total),
      sum(s * (v).unsubscribed), sum(s * (v).failed), sum(s * (v).suppressed), sum(s * (v).deferred), sum(s * (v).failovers)
    FROM (VALUES (o, -1), (n, 1)) AS x(v, s)
   WHERE (v).hour IS NOT NULL
   GROUP BY (v).hour, (v).provider, (v).first_provider, (v).recipient_domain;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Accepting a request inserts queued rows (no contribution): only rows suppressed at accept fire.
CREATE TRIGGER "pm_analytics_recipient_inserted" AFTER INSERT ON "message_recipients" FOR EACH ROW
  WHEN (NEW.status NOT IN ('queued', 'sending'))
  EXECUTE FUNCTION pm_analytics_recipient_changed();
--> statement-breakpoint
-- Updates: one statement-level trigger per UPDATE statement over its transition tables, so the dispatcher's outcome
-- write of a 1,000-recipient round appends a few pre-summed deltas (per message × cohort key), not 1,000 rows. Rows
-- that count nowhere before and after (claims: queued → sending, hand-backs) are filtered before any function call.
CREATE FUNCTION "pm_analytics_recipients_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('pm.analytics_rebuild', true) = 'on' THEN RETURN NULL; END IF;
  INSERT INTO analytics_deltas (workspace_id, message_id, hour, provider, first_provider, recipient_domain, sent, delivered,
      hard_bounced, soft_bounced, complained, opened, opens_total, machine_opens, clicked, clicks_total, unsubscribed, failed,
      suppressed, deferred, failovers)
  SELECT workspace_id, message_id, (v).hour, (v).provider, (v).first_provider, (v).recipient_domain,
      sum(s * (v).sent), sum(s * (v).delivered), sum(s * (v).hard_bounced), sum(s * (v).soft_bounced), sum(s * (v).complained),
      sum(s * (v).opened), sum(s * (v).opens_total), sum(s * (v).machine_opens), sum(s * (v).clicked), sum(s * (v).clicks_total),
      sum(s * (v).unsubscribed), sum(s * (v).failed), sum(s * (v).suppressed), sum(s * (v).deferred), sum(s * (v).failovers)
    FROM (
      SELECT o.workspace_id, o.message_id, pm_analytics_vec(o) AS v, -1 AS s FROM pm_old o WHERE o.status NOT IN ('queued', 'sending', 'cancelled')
      UNION ALL
      SELECT n.workspace_id, n.message_id, pm_analytics_vec(n), 1 FROM pm_new n WHERE n.status NOT IN ('queued', 'sending', 'cancelled')
    ) x
   GROUP BY workspace_id, message_id, (v).hour, (v).provider, (v).first_provider, (v).recipient_domain
  HAVING sum(s * (v).sent) <> 0 OR sum(s * (v).delivered) <> 0 OR sum(s * (v).hard_bounced) <> 0 OR sum(s * (v).soft_bounced) <> 0
      OR sum(s * (v).complained) <> 0 OR sum(s * (v).opened) <> 0 OR sum(s * (v).opens_total) <> 0 OR sum(s * (v).machine_opens) <> 0
      OR sum(s * (v).clicked) <> 0 OR sum(s * (v).clicks_total) <> 0 OR sum(s * (v).unsubscribed) <> 0 OR sum(s * (v).failed) <> 0
      OR sum(s * (v).suppressed) <> 0 OR sum(s * (v).deferred) <> 0 OR sum(s * (v).failovers) <> 0;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "pm_analytics_recipients_updated" AFTER UPDATE ON "message_recipients"
  REFERENCING OLD TABLE AS pm_old NEW TABLE AS pm_new
  FOR EACH STATEMENT EXECUTE FUNCTION pm_analytics_recipients_updated();
--> statement-breakpoint
-- A stored engagement event (never a duplicate: ON CONFLICT DO NOTHING inserts fire no AFTER trigger) updates its
-- recipient's engagement columns; the recipient trigger above turns that into deltas. The first human open/click
-- counts once; machine opens (the ESP says so: details.machine) are counted apart.
CREATE FUNCTION "pm_analytics_event_stored"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.type = 'opened' AND NEW.details->>'machine' = 'true' THEN
    UPDATE message_recipients SET machine_opens = coalesce(machine_opens, 0) + 1
     WHERE id = NEW.recipient_id AND workspace_id = NEW.workspace_id;
  ELSIF NEW.type = 'opened' THEN
    UPDATE message_recipients SET opens = coalesce(opens, 0) + 1, opened_at = least(opened_at, NEW.occurred_at)
     WHERE id = NEW.recipient_id AND workspace_id = NEW.workspace_id;
  ELSIF NEW.type = 'clicked' THEN
    UPDATE message_recipients SET clicks = coalesce(clicks, 0) + 1, clicked_at = least(clicked_at, NEW.occurred_at)
     WHERE id = NEW.recipient_id AND workspace_id = NEW.workspace_id;
  ELSIF NEW.type = 'unsubscribed' THEN
    UPDATE message_recipients SET unsubscribed_at = NEW.occurred_at
     WHERE id = NEW.recipient_id AND workspace_id = NEW.workspace_id AND (unsubscribed_at IS NULL OR unsubscribed_at > NEW.occurred_at);
  ELSIF NEW.type = 'bounced' AND NEW.details->>'bounceClass' = 'soft' THEN
    UPDATE message_recipients SET soft_bounced_at = NEW.occurred_at
     WHERE id = NEW.recipient_id AND workspace_id = NEW.workspace_id AND (soft_bounced_at IS NULL OR soft_bounced_at > NEW.occurred_at);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "pm_analytics_event_stored" AFTER INSERT ON "events" FOR EACH ROW
  WHEN (NEW.recipient_id IS NOT NULL AND NEW.type IN ('opened', 'clicked', 'unsubscribed', 'bounced'))
  EXECUTE FUNCTION pm_analytics_event_stored();
--> statement-breakpoint
-- Deltas are inserted and folded away every second: vacuum the churn early so reads of pending deltas stay short.
ALTER TABLE "analytics_deltas" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000);
