CREATE TABLE "webhook_rejections" (
	"provider" text NOT NULL,
	"hook_id" text NOT NULL,
	"reason" text NOT NULL,
	"workspace_id" text,
	"count" bigint NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "webhook_rejections_provider_hook_id_reason_pk" PRIMARY KEY("provider","hook_id","reason")
);
--> statement-breakpoint
CREATE TABLE "webhook_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"provider" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"event_types" text[] DEFAULT '{}' NOT NULL,
	"stored" integer DEFAULT 0 NOT NULL,
	"duplicates" integer DEFAULT 0 NOT NULL,
	"reason" text
);
--> statement-breakpoint
ALTER TABLE "webhook_rejections" ADD CONSTRAINT "webhook_rejections_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_requests" ADD CONSTRAINT "webhook_requests_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_rejections_workspace_idx" ON "webhook_rejections" USING btree ("workspace_id","last_at");--> statement-breakpoint
CREATE INDEX "webhook_requests_workspace_received_idx" ON "webhook_requests" USING btree ("workspace_id","received_at","id");