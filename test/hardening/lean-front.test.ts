/**
 * What the lean front (server/front.ts, issue 19) must keep of the route handlers' guarantees when the client
 * misbehaves at the socket level, on both databases: a client that goes away mid-body stores nothing and the process
 * keeps serving; an endless chunked upload is cut off at the byte limit with 413, and the connection then carries the
 * client's next request; a Host header that is not a host is a 400, not a crash.
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

  it("a malformed Host header is a 400 with the envelope", async () => {
    const answer = await raw(
      port,
      (s) => s.write(`POST /api/v1/emails/send HTTP/1.1\r\nHost: [::zz\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${valid.length}\r\n\r\n${valid}`),
      (text) => text.includes("\r\n\r\n") && text.trimEnd().endsWith("}"),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"invalid_request"');
  });
});
