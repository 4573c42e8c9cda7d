/**
 * The Postmark emulator (test/emulators/postmark-emulator.ts) in its own process, so its JSON parsing and
 * per-message validation do not share an event loop with the dispatcher under test (a real ESP is remote too).
 * Controlled over IPC by bench/run.ts: {cmd:"latency",ms} · {cmd:"reset"} · {cmd:"stats"} → {reply, ...}.
 */
import { startPostmarkEmulator } from "../test/emulators/postmark-emulator";

type Command = { id: number; cmd: "latency"; ms: number } | { id: number; cmd: "reset" } | { id: number; cmd: "stats" };

const pm = await startPostmarkEmulator({ host: "127.0.0.1" });
process.send!({ ready: true, url: pm.url, serverToken: pm.serverToken, accountToken: pm.accountToken });

process.on("message", (m: Command) => {
  if (m.cmd === "latency") pm.faults.setLatency(m.ms);
  if (m.cmd === "reset") pm.reset();
  const byPath: Record<string, number> = {};
  let messages = 0;
  if (m.cmd === "stats") {
    for (const r of pm.requests) byPath[`${r.method} ${r.path}`] = (byPath[`${r.method} ${r.path}`] ?? 0) + 1;
    messages = pm.accepted.length;
  }
  process.send!({ reply: m.id, requests: pm.requests.length, byPath, accepted: messages, connections: pm.connections.count });
});
process.on("disconnect", () => void pm.close().finally(() => process.exit(0)));
process.on("SIGTERM", () => void pm.close().finally(() => process.exit(0)));
