CREATE TABLE "workspace_pricing" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"billing_day" integer DEFAULT 1 NOT NULL,
	"premium_provider" text,
	"providers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"cost_rules" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workspace_pricing" ADD CONSTRAINT "workspace_pricing_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;