import { z } from "zod";

/**
 * Addresses as senders write them: `ops@acme.test` or `Acme Ops <ops@acme.test>` (RFC 5322 name-addr, without
 * comments or groups, which no ESP here accepts either).
 */
const emailSchema = z.email();
const NAME_ADDR = /^\s*(?:"([^"\r\n]*)"|([^<>"\r\n]*?))\s*<([^<>\s]+)>\s*$/;

export interface ParsedAddress {
  name?: string;
  email: string;
}

export function parseAddress(value: string): ParsedAddress | null {
  if (/[\r\n]/.test(value)) return null;
  const trimmed = value.trim();
  if (emailSchema.safeParse(trimmed).success) return { email: trimmed };
  const m = NAME_ADDR.exec(value);
  if (!m) return null;
  const email = m[3]!;
  if (!emailSchema.safeParse(email).success) return null;
  const name = (m[1] ?? m[2] ?? "").trim();
  return name ? { name, email } : { email };
}

export function formatAddress(a: ParsedAddress): string {
  if (!a.name) return a.email;
  return /[",.:;<>@()[\]\\]/.test(a.name) ? `"${a.name.replace(/["\\]/g, "\\$&")}" <${a.email}>` : `${a.name} <${a.email}>`;
}

/** The bare address, lower-cased: the identity used for suppression and recipient rows. */
export const addressKey = (value: string) => (parseAddress(value)?.email ?? value).trim().toLowerCase();
