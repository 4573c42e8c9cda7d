/**
 * A relay that drips bytes in one workspace cannot hold up another workspace's mail (issue "Hardening, part 2"):
 * groups of a round are sent and committed independently, and the SMTP transaction has a deadline.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveProviderConfig, type VerifyProvider } from "@/lib/providers/provider-configs";
import { createTestDatabase, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { connectAll, makeDispatcher, recipientsOf, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { setEnv } from "../support/env";

const accept: VerifyProvider = async () => ({ status: "verified", records: [] });

describe("a slow-drip relay in one workspace", () => {
  let t: TestDatabase;
  let esp: Emulators;
  let drip: net.Server;
  const sockets = new Set<net.Socket>();
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
    setEnv({ PROVIDER_CALL_TIMEOUT_SECONDS: "2" });
    drip = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.write("220 drip.example ESMTP\r\n");
      socket.once("data", () => {
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write("2")), 100);
        socket.on("close", () => (clearInterval(timer), sockets.delete(socket)));
      });
    });
    await new Promise<void>((resolve) => drip.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    setEnv({ PROVIDER_CALL_TIMEOUT_SECONDS: undefined });
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => drip?.close(resolve));
    await esp?.close();
    await t?.drop();
  });

  it("does not hold back another workspace's mail, and its own copy is retried after the deadline", async () => {
    const slow = await workspaceFixture(t.database);
    await saveProviderConfig(slow.ctx, "smtp", { host: "127.0.0.1", port: (drip.address() as net.AddressInfo).port }, accept);
    const fast = await workspaceFixture(t.database);
    await connectAll(fast.ctx, esp);
    const clock = new TestClock(new Date());
    const slowMsg = await send(slow.ctx, { to: "waits@example.com", provider: "smtp" }, clock.now());
    const fastMsg = await send(fast.ctx, { to: "flows@example.com" }, clock.now());

    const round = makeDispatcher(t.database, clock).runOnce();
    let fastStatus = "";
    for (let i = 0; i < 200 && fastStatus !== "sent"; i++) {
      fastStatus = (await recipientsOf(t.database, fastMsg.id))[0]!.status;
      if (fastStatus !== "sent") await new Promise((r) => setTimeout(r, 25));
    }
    expect(fastStatus).toBe("sent");
    expect((await recipientsOf(t.database, slowMsg.id))[0]!.status).toBe("sending"); // still dripping meanwhile

    const stats = await round; // ends at the SMTP deadline, not when the relay finally answers
    expect(stats).toMatchObject({ claimed: 2, sent: 1, retried: 1 });
    const [waiting] = await recipientsOf(t.database, slowMsg.id);
    expect(waiting).toMatchObject({ status: "queued", lastErrorClass: "retryable" });
    expect(waiting!.lastError).toContain("no answer within 2000 ms");
  });
});
