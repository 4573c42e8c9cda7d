import { Resolver } from "node:dns/promises";

/**
 * DNS reads for the checks, through node's resolver (c-ares) with the servers and timeout of the environment:
 * `DNS_SERVERS` (`ip[:port]`, comma-separated; unset: the system's) and `DNS_TIMEOUT_MS`. Each answer is one of
 * - `found`: the values (TXT records with their character-strings joined, as RFC 7208 §3.3 and RFC 6376 §3.6.2.2 read them);
 * - `none`: the name does not exist (NXDOMAIN) or has no record of that type (NODATA) — an answer;
 * - `unknown`: no answer we can trust (timeout, SERVFAIL, refused, unreachable server) — never read as "missing".
 * One lookup object serves one check and memoizes by name and type, so a check asks each question once.
 */
export type DnsAnswer = { status: "found"; values: string[] } | { status: "none"; reason: "NXDOMAIN" | "NODATA" } | { status: "unknown"; reason: string };

export interface DnsSettings {
  servers?: string[];
  timeoutMs: number;
}

const NONE: Record<string, "NXDOMAIN" | "NODATA"> = { ENOTFOUND: "NXDOMAIN", ENODATA: "NODATA" };
const REASONS: Record<string, string> = {
  ETIMEOUT: "timed out",
  ESERVFAIL: "SERVFAIL",
  EREFUSED: "refused",
  ECONNREFUSED: "DNS server unreachable",
  EBADRESP: "bad response",
  ECANCELLED: "cancelled",
};

export interface DnsLookup {
  txt(name: string): Promise<DnsAnswer>;
  cname(name: string): Promise<DnsAnswer>;
  mx(name: string): Promise<DnsAnswer>;
}

const normalizeHost = (value: string) => value.toLowerCase().replace(/\.$/, "");

export function createDnsLookup(settings: DnsSettings): DnsLookup {
  // tries: 2 — one lost UDP datagram should not make a record "unknown"; the timeout bounds each try.
  const resolver = new Resolver({ timeout: settings.timeoutMs, tries: 2 });
  if (settings.servers?.length) resolver.setServers(settings.servers);
  const memo = new Map<string, Promise<DnsAnswer>>();

  const ask = (type: string, name: string, run: () => Promise<string[]>): Promise<DnsAnswer> => {
    const key = `${type} ${normalizeHost(name)}`;
    let answer = memo.get(key);
    if (!answer) {
      answer = run().then(
        (values): DnsAnswer => (values.length ? { status: "found", values } : { status: "none", reason: "NODATA" }),
        (err: NodeJS.ErrnoException): DnsAnswer => {
          const code = err.code ?? "";
          if (NONE[code]) return { status: "none", reason: NONE[code] };
          return { status: "unknown", reason: REASONS[code] ?? (code || "lookup failed") };
        },
      );
      memo.set(key, answer);
    }
    return answer;
  };

  return {
    txt: (name) => ask("TXT", name, async () => (await resolver.resolveTxt(name)).map((chunks) => chunks.join(""))),
    cname: (name) => ask("CNAME", name, async () => (await resolver.resolveCname(name)).map(normalizeHost)),
    mx: (name) => ask("MX", name, async () => (await resolver.resolveMx(name)).map((r) => normalizeHost(r.exchange))),
  };
}

/** `DNS_SERVERS` as the resolver takes it: `1.1.1.1, 127.0.0.1:5353, [::1]:53`. */
export function parseDnsServers(value: string | undefined): string[] | undefined {
  const list = value?.split(",").map((s) => s.trim()).filter(Boolean);
  return list?.length ? list : undefined;
}
