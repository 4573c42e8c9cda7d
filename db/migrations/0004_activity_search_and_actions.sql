CREATE TABLE "recipient_actions" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"recipient_id" text NOT NULL,
	"action" text NOT NULL,
	"from_status" text NOT NULL,
	"actor" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "recipient_actions" ADD CONSTRAINT "recipient_actions_recipient_id_message_recipients_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."message_recipients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recipient_actions_recipient_idx" ON "recipient_actions" USING btree ("recipient_id");--> statement-breakpoint
CREATE INDEX "message_recipients_email_idx" ON "message_recipients" USING btree ("workspace_id","email","message_id");