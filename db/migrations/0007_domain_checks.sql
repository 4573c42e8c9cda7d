CREATE TABLE "domain_dkim_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"domain" text NOT NULL,
	"selector" text NOT NULL,
	"public_record" text NOT NULL,
	"private_key_encrypted" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "domain_status_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"domain_id" text NOT NULL,
	"subject" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sending_domains" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"name" text NOT NULL,
	"added_manually" boolean DEFAULT false NOT NULL,
	"claimed_providers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"smtp_spf_mechanism" text,
	"smtp_return_path" text,
	"status" text DEFAULT 'unchecked' NOT NULL,
	"status_changed_at" timestamp with time zone,
	"result" jsonb,
	"last_checked_at" timestamp with time zone,
	"next_check_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_requested_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "domain_dkim_keys" ADD CONSTRAINT "domain_dkim_keys_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domain_status_changes" ADD CONSTRAINT "domain_status_changes_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domain_status_changes" ADD CONSTRAINT "domain_status_changes_domain_id_sending_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."sending_domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sending_domains" ADD CONSTRAINT "sending_domains_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "domain_dkim_keys_workspace_domain_selector_idx" ON "domain_dkim_keys" USING btree ("workspace_id","domain","selector");--> statement-breakpoint
CREATE INDEX "domain_status_changes_domain_idx" ON "domain_status_changes" USING btree ("domain_id","changed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sending_domains_workspace_name_idx" ON "sending_domains" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE INDEX "sending_domains_due_idx" ON "sending_domains" USING btree ("next_check_at");