import { sql } from "drizzle-orm";
import { boolean, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns";
import { workspaces } from "./workspaces";
import type { ProviderKind } from "../../lib/providers/provider-kind";
import type { DomainCheckResult, DomainStatus } from "../../lib/domains/domain-types";

/**
 * Sending domains per workspace: discovered from connected providers or added by the operator, with the latest DNS
 * check (each record's expected and found values as JSON, replaced by each check) and when to check next.
 */
export const sendingDomains = pgTable(
  "sending_domains",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    /** Lower-case, without a trailing dot. */
    name: text("name").notNull(),
    addedManually: boolean("added_manually").notNull().default(false),
    /** Providers the operator named as sending for it (besides the ones that report it). */
    claimedProviders: jsonb("claimed_providers").$type<ProviderKind[]>().notNull().default([]),
    /** SMTP relays: the SPF mechanism that authorizes the relay, and its envelope (Return-Path) host. */
    smtpSpfMechanism: text("smtp_spf_mechanism"),
    smtpReturnPath: text("smtp_return_path"),
    status: text("status").$type<DomainStatus>().notNull().default("unchecked"),
    statusChangedAt: tstz("status_changed_at"),
    result: jsonb("result").$type<DomainCheckResult>(),
    lastCheckedAt: tstz("last_checked_at"),
    /** The scheduler's due time; a claim moves it forward by a lease so no other process takes the same domain. */
    nextCheckAt: tstz("next_check_at").notNull().default(sql`now()`),
    /** Last on-demand check (POST …/check): the cooldown counts from here. */
    lastRequestedAt: tstz("last_requested_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("sending_domains_workspace_name_idx").on(t.workspaceId, t.name), index("sending_domains_due_idx").on(t.nextCheckAt)],
);

/** Every status change of a domain or one of its records, with its time. */
export const domainStatusChanges = pgTable(
  "domain_status_changes",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    domainId: text("domain_id").notNull().references(() => sendingDomains.id, { onDelete: "cascade" }),
    /** "domain", or a record: "postmark DKIM 2026…pm._domainkey.example.com", "DMARC _dmarc.example.com". */
    subject: text("subject").notNull(),
    fromStatus: text("from_status"),
    toStatus: text("to_status").notNull(),
    changedAt: tstz("changed_at").notNull(),
  },
  (t) => [index("domain_status_changes_domain_idx").on(t.domainId, t.changedAt)],
);

/** DKIM key pairs generated for SMTP relays, per domain and selector; the private key only encrypted (AES-256-GCM). */
export const domainDkimKeys = pgTable(
  "domain_dkim_keys",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    domain: text("domain").notNull(),
    selector: text("selector").notNull(),
    /** The DKIM TXT value (`v=DKIM1; k=rsa; p=…`). */
    publicRecord: text("public_record").notNull(),
    privateKeyEncrypted: text("private_key_encrypted").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("domain_dkim_keys_workspace_domain_selector_idx").on(t.workspaceId, t.domain, t.selector)],
);
