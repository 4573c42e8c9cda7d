/**
 * What the lean front (server/front.ts, issue 19) must keep of the route handlers' guarantees when the client
 * misbehaves at the socket level, on both databases: a client that goes away mid-body stores nothing and the process
 * keeps serving; an endless chunked upload is cut off at the byte limit with 413, and the connection then carries the
 * client's next request; the Host header is not trusted (the URL's origin is fixed, as under Next.js).
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import type http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { messages } from "@/db/schema";
import { env } from "@/lib/config/env";
import { createFrontServer } from "@/server/front";
import { HOT_ROUTES } from "@/server/hot-routes";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { setEnv } from "../support/env";
import { storeProviderRows } from "../support/providers";

const valid = JSON.stringify({ from: "Acme <ops@acme.test>", to: "jane@example.test", subject: "Hello", text_body: "Hi" });

/** Writes `head` (and `body`) on a raw socket and collects everything the server answers until it closes or `until` matches. */
function raw(port: number, write: (socket: net.Socket) => void, until: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (d) => {
      text += d.toString("latin1");
      if (until(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on("error", (err) => (text ? resolve(text) : reject(err)));
    socket.on("close", () => resolve(text));
    socket.on("connect", () => write(socket));
  });
}

describe.each(testDatabaseKinds())("lean front under misbehaving clients on %s", (kind) => {
  let t: TestDatabase;
  let key: string;
  let workspaceId: string;
  let server: http.Server;
  let port: number;
  const messageCount = async () => Number((await t.database.db.select({ n: sql<number>`count(*)::int` }).from(messages).where(eq(messages.workspaceId, workspaceId)))[0]!.n);
  const head = (extra: string) => `POST /api/v1/emails/send HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\n${extra}\r\n`;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    const w = await workspaceFixture(t.database);
    await storeProviderRows(w.ctx, ["postmark"]);
    key = w.key;
    workspaceId = w.workspace.id;
    server = createFrontServer(HOT_ROUTES, (_req, res) => void res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.drop();
  });

  it("a client that disconnects mid-body stores nothing, and the next request is served", async () => {
    const before = await messageCount();
    await raw(
      port,
      (s) => {
        s.write(head(`Content-Length: ${valid.length}\r\n`) + valid.slice(0, 20));
        setTimeout(() => s.destroy(), 50);
      },
      () => false,
    );
    const ok = await fetch(`http://127.0.0.1:${port}/api/v1/emails/send`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: valid });
    expect(ok.status, await ok.clone().text()).toBe(202);
    expect(await messageCount()).toBe(before + 1);
  });

  it("an endless chunked upload gets 413 at the byte limit, and the same connection then serves a valid send", async () => {
    const limit = env().MAX_REQUEST_BYTES;
    const chunk = `{"from":"${"x".repeat(64 * 1024)}`;
    const before = await messageCount();
    let sent = 0;
    const answer = await raw(
      port,
      (s) => {
        s.write(head("Transfer-Encoding: chunked\r\n"));
        const pump = () => {
          // Keep sending past the limit until the server has answered; then end this body and send a valid request.
          while (sent < limit * 2 && s.writable) {
            const ok = s.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
            sent += chunk.length;
            if (!ok) return void s.once("drain", pump);
          }
          s.write("0\r\n\r\n");
          s.write(head(`Content-Length: ${valid.length}\r\n`) + valid);
        };
        pump();
      },
      (text) => (text.match(/HTTP\/1\.1 /g) ?? []).length >= 2 && text.trimEnd().endsWith("}"),
    );
    const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([413, 202]);
    expect(answer).toContain('"payload_too_large"');
    expect(await messageCount()).toBe(before + 1);
  });

  it("the Host header is not trusted: a malformed or credential-carrying Host, or a repeated Authorization, is answered as Next.js would", async () => {
    const before = await messageCount();
    const request = (hostAndAuth: string) => `POST /api/v1/emails/send HTTP/1.1\r\n${hostAndAuth}Content-Type: application/json\r\nContent-Length: ${valid.length}\r\n\r\n${valid}`;
    const pipelined = [
      request(`Host: [::zz\r\nAuthorization: Bearer ${key}\r\n`),
      request(`Host: user:pass@example.com\r\nAuthorization: Bearer ${key}\r\n`),
      // Node keeps the first of repeated Authorization headers, as Next.js sees them.
      request(`Host: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nAuthorization: Bearer pm_nope\r\n`),
    ].join("");
    const answer = await raw(port, (s) => s.write(pipelined), (text) => (text.match(/HTTP\/1\.1 /g) ?? []).length >= 3 && text.trimEnd().endsWith("}"));
    expect([...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]))).toEqual([202, 202, 202]);
    expect(await messageCount()).toBe(before + 3);
  });

  it("request bodies share one memory budget: past it a request gets 503 + Retry-After and stores nothing; alone, a request always fits", async () => {
    const budget = 256 * 1024;
    setEnv({ REQUEST_BODY_BUDGET_BYTES: String(budget) });
    try {
      const before = await messageCount();
      // A holds 200 KiB of the budget: its body is sent in part, and the rest only once B has been answered.
      const big = JSON.stringify({ from: "Acme <ops@acme.test>", to: "jane@example.test", subject: "Hello", text_body: "x".repeat(300 * 1024) });
      const firstPart = 200 * 1024;
      let finishA!: () => void;
      const aAnswer = raw(
        port,
        (s) => {
          s.write(head(`Content-Length: ${big.length}\r\n`) + big.slice(0, firstPart));
          finishA = () => s.write(big.slice(firstPart));
        },
        (text) => text.includes("\r\n\r\n") && text.trimEnd().endsWith("}"),
      );
      // Wait until the server holds A's first part (the front streams it to the handler as it arrives).
      const held = () => (globalThis as unknown as { __pmBodyBudget?: { used: number } }).__pmBodyBudget?.used ?? 0;
      await expect.poll(held, { timeout: 10_000 }).toBeGreaterThanOrEqual(firstPart);
      const b = await fetch(`http://127.0.0.1:${port}/api/v1/emails/send`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ from: "Acme <ops@acme.test>", to: "b@example.test", subject: "B", text_body: "y".repeat(100 * 1024) }),
      });
      expect(b.status).toBe(503);
      expect(b.headers.get("retry-after")).toBe("1");
      expect((await b.json()).error.code).toBe("service_unavailable");
      finishA();
      expect(await aAnswer).toMatch(/^HTTP\/1\.1 202 /);
      // Alone, a body larger than the whole budget is still read.
      const alone = await fetch(`http://127.0.0.1:${port}/api/v1/emails/send`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: big });
      expect(alone.status).toBe(202);
      expect(await messageCount()).toBe(before + 2);
    } finally {
      setEnv({ REQUEST_BODY_BUDGET_BYTES: undefined });
    }
  });
});
