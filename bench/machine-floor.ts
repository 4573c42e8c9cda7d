/**
 * The machine floor: a bare node:http server doing what the send API and the webhook receiver cannot avoid —
 * read the body, JSON.parse it, one INSERT with the same driver (postgres.js, same pool size as the app), answer.
 * No framework, no auth, no validation. Run by bench/run.ts as a child process (so it does not share the load
 * generator's event loop); prints `{"port":N}` on stdout when listening.
 *
 *   POST /send     one row per request (202)
 *   POST /send100  one INSERT of one row per `to` address (202)
 *   POST /webhook  one row per request (200)
 *   POST /parse    no database at all: what bare node:http + JSON.parse cost (202), to split the app's gap to
 *                  this floor into framework and database shares
 */
import http from "node:http";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import postgres from "postgres";

const url = process.env.BENCH_DB_URL;
if (!url) throw new Error("BENCH_DB_URL is not set");
const sql = postgres(url, { max: Number(process.env.BENCH_DB_POOL ?? 10), onnotice: () => {} });

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function reply(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer(async (req, res) => {
  try {
    const body = JSON.parse(await readBody(req)) as { to?: string | string[]; Recipient?: string };
    if (req.url === "/parse") return reply(res, 202, { id: randomUUID(), status: "queued" });
    if (req.url === "/send") {
      const to = Array.isArray(body.to) ? body.to[0]! : String(body.to);
      const id = randomUUID();
      await sql`insert into bench_floor_rows (id, email, payload) values (${id}, ${to}, ${sql.json(body as never)})`;
      return reply(res, 202, { id, status: "queued" });
    }
    if (req.url === "/send100") {
      const to = Array.isArray(body.to) ? body.to : [String(body.to)];
      const rows = to.map((email) => ({ id: randomUUID(), email, payload: null }));
      await sql`insert into bench_floor_rows ${sql(rows, "id", "email", "payload")}`;
      return reply(res, 202, { status: "queued", recipients: rows.length });
    }
    if (req.url === "/webhook") {
      const id = randomUUID();
      await sql`insert into bench_floor_rows (id, email, payload) values (${id}, ${body.Recipient ?? null}, ${sql.json(body as never)})`;
      return reply(res, 200, { stored: 1 });
    }
    reply(res, 404, { error: "not found" });
  } catch (err) {
    reply(res, 500, { error: String(err) });
  }
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + "\n");
});

const stop = () => {
  server.closeAllConnections();
  server.close(() => void sql.end({ timeout: 2 }).finally(() => process.exit(0)));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
