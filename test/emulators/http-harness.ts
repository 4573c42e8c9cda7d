import http from "node:http";
import type { AddressInfo } from "node:net";
import { FaultController } from "./faults";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed body: JSON value, or for multipart a map of field → values (see the emulator). */
  body: unknown;
  rawBody: Buffer;
  receivedAt: Date;
}

export interface HttpReply {
  status: number;
  body: unknown;
  contentType?: string;
  /** Extra response headers (SendGrid's X-Message-Id, X-RateLimit-*). */
  headers?: Record<string, string>;
}

export type Handler = (req: RecordedRequest) => Promise<HttpReply> | HttpReply;

/** A node:http server that records requests, applies latency and scripted faults, then calls `handle`. */
export async function startHttpEmulator(opts: {
  port?: number;
  host?: string;
  parseBody: (raw: Buffer, headers: http.IncomingHttpHeaders) => Promise<unknown>;
  handle: Handler;
}) {
  const faults = new FaultController();
  const requests: RecordedRequest[] = [];
  const inFlight = { now: 0, peak: 0 };
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://emulator");
    let body: unknown;
    try {
      body = await opts.parseBody(rawBody, req.headers);
    } catch {
      body = undefined; // the handler answers malformed bodies the way the ESP does
    }
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      rawBody,
      receivedAt: new Date(),
    };
    requests.push(recorded);
    inFlight.now += 1;
    inFlight.peak = Math.max(inFlight.peak, inFlight.now);
    res.once("close", () => (inFlight.now -= 1));
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    const fault = faults.take(url.pathname);
    if (fault?.kind === "timeout") {
      hanging.add(res);
      return;
    }
    if (fault?.kind === "drop") {
      req.socket.destroy();
      return;
    }
    const reply: HttpReply = fault
      ? { status: fault.status, body: fault.body ?? "", contentType: fault.contentType, headers: fault.headers }
      : await opts.handle(recorded);
    const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...reply.headers,
      "Content-Type": reply.contentType ?? (typeof reply.body === "string" ? "text/plain" : "application/json"),
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  });
  server.keepAliveTimeout = 30_000;
  const connections = { count: 0 };
  server.on("connection", () => (connections.count += 1));

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    port: address.port,
    requests,
    faults,
    /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
    connections,
    /** Requests being answered right now, and the most at once since the last `inFlight.peak = 0`. */
    inFlight,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** POSTs a JSON webhook; never throws (a down receiver is recorded, like an ESP would log it). */
export async function postWebhook(url: string, payload: unknown, headers: Record<string, string> = {}) {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(payload),
    });
    await res.arrayBuffer();
    return { status: res.status };
  } catch (err) {
    return { status: 0, error: String(err) };
  }
}

/** ESP-neutral event names the emulators can emit for an accepted message. */
export const EMULATOR_EVENTS = ["delivered", "bounced", "soft_bounced", "opened", "clicked", "complained", "unsubscribed"] as const;
export type EmulatorEvent = (typeof EMULATOR_EVENTS)[number];

/**
 * Per-recipient convention shared by the emulators (documented in test/emulators/README.md):
 * an address containing "softbounce" gets a soft bounce instead of a delivery event, one containing "bounce" a hard
 * bounce; every other accepted recipient gets a delivery event.
 */
export function automaticEventFor(address: string): EmulatorEvent {
  const a = address.toLowerCase();
  if (a.includes("softbounce")) return "soft_bounced";
  if (a.includes("bounce")) return "bounced";
  return "delivered";
}

export function bareEmail(address: string): string {
  const m = /<([^>]+)>\s*$/.exec(address);
  return (m ? m[1] : address).trim().toLowerCase();
}

export const EMAIL_SYNTAX = /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/;

export interface WebhookDelivery {
  payload: unknown;
  /** The receiver's status; 0 when it was unreachable. */
  status: number;
  error?: string;
}

/**
 * The webhook side both HTTP emulators share: POSTs in flight (so tests can wait for them) and each POST made.
 */
export function webhookOutbox() {
  const deliveries: WebhookDelivery[] = [];
  const pending = new Set<Promise<WebhookDelivery>>();
  return {
    deliveries,
    post(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<WebhookDelivery> {
      const p = postWebhook(url, payload, headers).then((r) => {
        const delivery = { payload, ...r };
        deliveries.push(delivery);
        return delivery;
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
      return p;
    },
    /** Waits until every POST started so far (and any started meanwhile) has finished. */
    async flush() {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}

/** Replaces the entry with the same key, or appends (the emulators' setDomain / setSender). */
export function upsert<T>(list: T[], item: T, sameKey: (a: T, b: T) => boolean): void {
  const i = list.findIndex((x) => sameKey(x, item));
  if (i >= 0) list[i] = item;
  else list.push(item);
}

/** An emulator's reset(): empties what it recorded and clears scripted faults and latency. */
export function clearRecorded(http: { requests: unknown[]; faults: FaultController }, ...recorded: unknown[][]): void {
  http.requests.length = 0;
  for (const list of recorded) list.length = 0;
  http.faults.clear();
}
