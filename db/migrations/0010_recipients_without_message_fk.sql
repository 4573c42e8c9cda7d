-- The send path (issue 19, item 2): the foreign key from message_recipients to messages cost one RI trigger call per
-- inserted recipient, the largest single item in EXPLAIN ANALYZE of a 100-recipient accept. Recipients are only written
-- with their message in the same statement (lib/sending/send-email.ts), so the check never caught anything; the
-- ON DELETE CASCADE it gave is kept by a statement-level trigger (one DELETE per statement, over its transition table).
ALTER TABLE "message_recipients" DROP CONSTRAINT "message_recipients_message_id_messages_id_fk";--> statement-breakpoint
CREATE FUNCTION "pm_messages_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM message_recipients r USING pm_old o WHERE r.message_id = o.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "pm_messages_deleted" AFTER DELETE ON "messages"
  REFERENCING OLD TABLE AS pm_old
  FOR EACH STATEMENT EXECUTE FUNCTION pm_messages_deleted();
