/**
 * A real DNS server for tests (the `dns2` package) on 127.0.0.1 and a random port, UDP and TCP on the same port (a
 * resolver retries a truncated answer over TCP). The app reaches it through `DNS_SERVERS=<servers>`; nothing in a
 * test then asks a public resolver. Answers are editable while it runs: a record "fixed in DNS" is `set` again.
 *
 *   const dns = await startDnsServer({ "example.com": { TXT: ["v=spf1 include:spf.mtasv.net ~all"] } });
 *   setEnv({ DNS_SERVERS: dns.servers });
 *
 * Per name: `TXT` (a string is one record, split into 255-byte character-strings as a zone file would; an array is
 * one record given as its character-strings), `CNAME`, `MX`, `A`; `servfail: true` answers SERVFAIL; `delayMs` answers
 * after that long (longer than the app's DNS timeout = a timeout). A name without an entry is NXDOMAIN; an entry
 * without records of the asked type is an empty NOERROR answer (NODATA).
 */
import dns2 from "dns2";
import { pathToFileURL } from "node:url";

const { Packet } = dns2;
/** RFC 1035 §4.1.1 response codes (dns2's typings omit Packet.RCODE). */
const RCODE = { SERVFAIL: 2, NXDOMAIN: 3 } as const;

export interface DnsEntry {
  TXT?: Array<string | string[]>;
  CNAME?: string;
  MX?: Array<{ exchange: string; priority: number }>;
  A?: string[];
  servfail?: boolean;
  delayMs?: number;
}

export type DnsZone = Record<string, DnsEntry>;

export interface DnsQuery {
  name: string;
  type: string;
  transport: "udp" | "tcp";
}

const TYPE_NAMES = Object.fromEntries(Object.entries(Packet.TYPE).map(([name, code]) => [code, name])) as Record<number, string>;
const normalize = (name: string) => name.toLowerCase().replace(/\.$/, "");

/** A TXT value as its character-strings: at most 255 bytes each (RFC 1035 §3.3.14). */
export function txtStrings(value: string | string[]): Buffer[] {
  if (Array.isArray(value)) return value.map((s) => Buffer.from(s, "utf8"));
  const bytes = Buffer.from(value, "utf8");
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) chunks.push(bytes.subarray(i, i + 255));
  return chunks.length ? chunks : [Buffer.alloc(0)];
}

export async function startDnsServer(initial: DnsZone = {}) {
  const zone = new Map<string, DnsEntry>(Object.entries(initial).map(([name, entry]) => [normalize(name), entry]));
  const queries: DnsQuery[] = [];
  const timers = new Set<NodeJS.Timeout>();

  function answer(request: InstanceType<typeof Packet>) {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    if (!question) return { response, delayMs: 0 };
    const name = normalize(question.name);
    const entry = zone.get(name);
    if (!entry) {
      response.header.rcode = RCODE.NXDOMAIN;
      return { response, delayMs: 0 };
    }
    if (entry.servfail) {
      response.header.rcode = RCODE.SERVFAIL;
      return { response, delayMs: entry.delayMs ?? 0 };
    }
    const base = { name: question.name, class: Packet.CLASS.IN, ttl: 60 };
    const add = (owner: string, e: DnsEntry, type: number) => {
      if (type === Packet.TYPE.TXT) for (const value of e.TXT ?? []) response.answers.push({ ...base, name: owner, type, data: txtStrings(value) } as never);
      if (type === Packet.TYPE.MX) for (const mx of e.MX ?? []) response.answers.push({ ...base, name: owner, type, exchange: mx.exchange, priority: mx.priority } as never);
      if (type === Packet.TYPE.A) for (const address of e.A ?? []) response.answers.push({ ...base, name: owner, type, address } as never);
    };
    if (entry.CNAME) {
      // A CNAME answers every type at its name (RFC 1034 §3.6.2); the target's records follow when we hold them.
      response.answers.push({ ...base, type: Packet.TYPE.CNAME, domain: entry.CNAME } as never);
      const target = zone.get(normalize(entry.CNAME));
      if (target && question.type !== Packet.TYPE.CNAME) add(entry.CNAME, target, question.type);
    } else {
      add(question.name, entry, question.type);
    }
    return { response, delayMs: entry.delayMs ?? 0 };
  }

  function handle(transport: "udp" | "tcp") {
    return (request: InstanceType<typeof Packet>, send: (response: InstanceType<typeof Packet>) => Promise<Buffer>) => {
      const [question] = request.questions;
      if (question) queries.push({ name: normalize(question.name), type: TYPE_NAMES[question.type] ?? String(question.type), transport });
      const { response, delayMs } = answer(request);
      if (!delayMs) return void send(response).catch(() => {});
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(response).catch(() => {});
      }, delayMs);
      timers.add(timer);
    };
  }

  // UDP on a random port, then TCP on the same one (a resolver retries a truncated answer over TCP there).
  let udp: ReturnType<typeof dns2.createUDPServer>;
  let tcp: ReturnType<typeof dns2.createTCPServer>;
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    udp = dns2.createUDPServer(handle("udp") as never);
    udp.on("requestError", () => {});
    await udp.listen(0, "127.0.0.1");
    port = udp.address().port;
    tcp = dns2.createTCPServer(handle("tcp") as never);
    tcp.on("requestError", () => {});
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once("error", () => resolve(false));
      tcp.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (listening) break;
    udp.close();
    if (attempt >= 5) throw new Error("no free port for UDP and TCP together");
  }

  return {
    port,
    /** For DNS_SERVERS. */
    servers: `127.0.0.1:${port}`,
    /** Every question asked, in order. */
    queries,
    zone,
    /** Replaces the entry of `name` (records and behaviour). */
    set(name: string, entry: DnsEntry) {
      zone.set(normalize(name), entry);
    },
    /** Makes `name` NXDOMAIN. */
    remove(name: string) {
      zone.delete(normalize(name));
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => {
          tcp.close(() => resolve());
          (tcp as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
      ]);
    },
  };
}

export type DnsServer = Awaited<ReturnType<typeof startDnsServer>>;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dns = await startDnsServer();
  console.log(`DNS server on ${dns.servers} (empty zone)`);
}
