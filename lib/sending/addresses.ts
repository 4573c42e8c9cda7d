import { z } from "zod";

/**
 * Addresses as senders write them: `ops@acme.test` or `Acme Ops <ops@acme.test>` (RFC 5322 name-addr, without
 * comments or groups, which no ESP here accepts either).
 */
// zod's own email pattern, tested directly: the same rule as z.email() without a safeParse per address (a request
// may carry 1,000).
const EMAIL = z.regexes.email;
const NAME_ADDR = /^\s*(?:"([^"\r\n]*)"|([^<>"\r\n]*?))\s*<([^<>\s]+)>\s*$/;

export interface ParsedAddress {
  name?: string;
  email: string;
}

export function parseAddress(value: string): ParsedAddress | null {
  if (/[\r\n]/.test(value)) return null;
  const trimmed = value.trim();
  if (EMAIL.test(trimmed)) return { email: trimmed };
  const m = NAME_ADDR.exec(value);
  if (!m) return null;
  const email = m[3]!;
  if (!EMAIL.test(email)) return null;
  const name = (m[1] ?? m[2] ?? "").trim();
  return name ? { name, email } : { email };
}

export function formatAddress(a: ParsedAddress): string {
  if (!a.name) return a.email;
  return /[",.:;<>@()[\]\\]/.test(a.name) ? `"${a.name.replace(/["\\]/g, "\\$&")}" <${a.email}>` : `${a.name} <${a.email}>`;
}

/** The bare address, lower-cased: the identity used for suppression and recipient rows. */
export const addressKey = (value: string) => (parseAddress(value)?.email ?? value).trim().toLowerCase();
