import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { env } from "@/lib/config/env";

/**
 * Where an SMTP relay may be. A workspace admin types the host, and the app connects to it from inside the operator's
 * network: without a policy that is a port scanner and banner grabber for anyone with a full-scope key. Always
 * refused, whatever the configuration: link-local ranges (169.254.0.0/16, fe80::/10 — cloud metadata services live
 * there: 169.254.169.254, fd00:ec2::254) and Alibaba's 100.100.100.200, unspecified and multicast addresses. The
 * operator narrows further in the environment (SMTP_HOST_ALLOWLIST / SMTP_HOST_DENYLIST), never a workspace.
 * Loopback and private ranges stay allowed by default: own relays commonly live there.
 *
 * The host is resolved once and the connection goes to the address that was checked, so a DNS answer that changes
 * between check and connect (rebinding) cannot redirect it; TLS still verifies the original name.
 */
const ALWAYS_DENIED: Array<[string, number, "ipv4" | "ipv6"]> = [
  ["169.254.0.0", 16, "ipv4"],
  ["100.100.100.200", 32, "ipv4"],
  ["0.0.0.0", 8, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["255.255.255.255", 32, "ipv4"],
  ["fe80::", 10, "ipv6"],
  ["fd00:ec2::254", 128, "ipv6"],
  ["::", 128, "ipv6"],
  ["ff00::", 8, "ipv6"],
];

function blockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/");
    const family = isIP(address!) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address!, family);
    else list.addSubnet(address!, Number(prefix), family);
  }
  return list;
}

const alwaysDenied = (() => {
  const list = new BlockList();
  for (const [address, prefix, family] of ALWAYS_DENIED) list.addSubnet(address, prefix, family);
  return list;
})();

export type HostCheck = { ok: true; address: string } | { ok: false; reason: string };

/** Why an address is refused, or null when a relay may be there. IPv4-mapped IPv6 is checked as IPv4. */
export function refusedAddress(address: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const family = isIP(ip) === 6 ? "ipv6" : "ipv4";
  if (alwaysDenied.check(ip, family)) return "link-local, metadata, unspecified or multicast addresses are never used for SMTP";
  const { SMTP_HOST_ALLOWLIST: allow, SMTP_HOST_DENYLIST: deny } = env();
  if (deny?.length && blockList(deny).check(ip, family)) return "the operator's SMTP_HOST_DENYLIST refuses this address";
  if (allow?.length && !blockList(allow).check(ip, family)) return "the operator's SMTP_HOST_ALLOWLIST does not include this address";
  return null;
}

/** Resolves the host and checks every address it has; the first allowed one is where to connect. */
export async function checkSmtpHost(host: string): Promise<HostCheck> {
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return { ok: false, reason: "host name not found" };
    }
  }
  const reasons = addresses.map(refusedAddress);
  const allowed = addresses.find((_, i) => reasons[i] === null);
  return allowed ? { ok: true, address: allowed } : { ok: false, reason: reasons.find(Boolean) ?? "no address" };
}
