/**
 * The SMTP provider is not a port scanner (issue "Hardening, part 2"): link-local and metadata addresses are always
 * refused, the operator's allow/deny lists apply, a non-SMTP service's banner is never echoed back, and a relay that
 * drips bytes cannot hold a send past its deadline. All servers here are the test's own, on loopback.
 */
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSmtpAdapter } from "@/lib/providers/smtp/adapter";
import { refusedAddress } from "@/lib/providers/smtp/host-policy";
import { saveProviderConfig } from "@/lib/providers/provider-configs";
import { verifyProvider } from "@/lib/providers/verify-provider";
import { AppError } from "@/lib/errors";
import { startSmtpSink, type SmtpSink } from "../emulators/smtp-sink";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { setEnv } from "../support/env";

const BANNER = "INFO {\"server_id\":\"NDJWE4SECRETBANNER\",\"version\":\"2.10.7\",\"proto\":1}\r\n";

function listen(onConnection: (socket: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onConnection(socket);
  });
  return new Promise<{ port: number; close(): Promise<void> }>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () => new Promise((done) => (sockets.forEach((s) => s.destroy()), server.close(() => done()))),
      }),
    ),
  );
}


describe("SMTP host policy", () => {
  let t: TestDatabase;
  let sink: SmtpSink;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink?.close();
    await t?.drop();
  });
  afterEach(() => setEnv({ SMTP_HOST_ALLOWLIST: undefined, SMTP_HOST_DENYLIST: undefined }));

  it.each(["169.254.169.254", "169.254.0.1", "::ffff:169.254.169.254", "fd00:ec2::254", "fe80::1", "0.0.0.0", "100.100.100.200", "224.0.0.1"])(
    "always refuses %s",
    (address) => {
      expect(refusedAddress(address)).toMatch(/never used for SMTP/);
    },
  );

  it("allows loopback and private relays by default", () => {
    for (const address of ["127.0.0.1", "10.1.2.3", "192.168.0.10", "::1"]) expect(refusedAddress(address)).toBeNull();
  });

  it("PUT /providers/smtp with the cloud metadata address → 422 with a short reason, nothing stored", async () => {
    const w = await workspaceFixture(t.database);
    const save = saveProviderConfig(w.ctx, "smtp", { host: "169.254.169.254", port: 25 }, verifyProvider);
    await expect(save).rejects.toMatchObject({ code: "provider_verification_failed", details: { reason: expect.stringContaining("never used for SMTP") } });
  });

  it("does not echo what a non-SMTP service says: a short reason instead of its banner", async () => {
    const fake = await listen((socket) => socket.write(BANNER));
    try {
      const w = await workspaceFixture(t.database);
      const err = await saveProviderConfig(w.ctx, "smtp", { host: "127.0.0.1", port: fake.port }, verifyProvider).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      const text = JSON.stringify({ message: (err as AppError).message, details: (err as AppError).details });
      expect(text).toContain("no SMTP greeting");
      expect(text).not.toMatch(/SECRETBANNER|server_id|2\.10\.7|INFO/);
    } finally {
      await fake.close();
    }
  });

  it("a service that never greets: a short timeout reason", async () => {
    const silent = await listen(() => {});
    try {
      const result = await createSmtpAdapter({ host: "127.0.0.1", port: silent.port, secure: false, timeoutMs: 300 }).verify();
      expect(result).toMatchObject({ status: "refused", reason: expect.stringMatching(/no SMTP greeting|timed out|no answer/) });
    } finally {
      await silent.close();
    }
  });

  it("the operator's deny list and allow list apply (environment, not a workspace setting)", async () => {
    const relay = { host: "127.0.0.1", port: sink.port, secure: false, timeoutMs: 5000 };
    expect((await createSmtpAdapter(relay).verify()).status).toBe("verified");
    setEnv({ SMTP_HOST_DENYLIST: "127.0.0.0/8" });
    expect(await createSmtpAdapter(relay).verify()).toMatchObject({ status: "refused", reason: expect.stringContaining("SMTP_HOST_DENYLIST") });
    setEnv({ SMTP_HOST_DENYLIST: undefined, SMTP_HOST_ALLOWLIST: "10.0.0.0/8" });
    expect(await createSmtpAdapter(relay).verify()).toMatchObject({ status: "refused", reason: expect.stringContaining("SMTP_HOST_ALLOWLIST") });
    setEnv({ SMTP_HOST_ALLOWLIST: "10.0.0.0/8, 127.0.0.1" });
    expect((await createSmtpAdapter(relay).verify()).status).toBe("verified");
  });

  it("a relay that drips bytes cannot hold a send past its deadline: retryable, and the send returns", async () => {
    // Greets, then answers EHLO one byte every 50 ms: each byte resets the socket timeout, so only a deadline ends it.
    const drip = await listen((socket) => {
      socket.write("220 drip.example ESMTP\r\n");
      socket.once("data", () => {
        const reply = "250-drip.example\r\n".repeat(1000);
        let i = 0;
        const timer = setInterval(() => (i < reply.length && !socket.destroyed ? socket.write(reply[i++]!) : clearInterval(timer)), 50);
        socket.on("close", () => clearInterval(timer));
      });
    });
    const adapter = createSmtpAdapter({ host: "127.0.0.1", port: drip.port, secure: false, timeoutMs: 600 });
    try {
      const outcome = await adapter.send({
        messages: [
          {
            content: { from: "ops@example.com", subject: "s", textBody: "t", headers: {}, tags: [], metadata: {}, trackOpens: false, trackLinks: false, type: "transactional", attachments: [] },
            recipients: [{ recipientId: "rcp_drip", messageId: "msg_drip", to: "a@example.com", cc: [], bcc: [], headers: {} }],
          },
        ],
      });
      expect(outcome.results).toEqual([expect.objectContaining({ recipientId: "rcp_drip", ok: false, error: expect.objectContaining({ class: "retryable" }) })]);
    } finally {
      await adapter.close();
      await drip.close();
    }
  });
});
