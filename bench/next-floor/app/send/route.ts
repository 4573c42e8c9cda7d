/**
 * Framework floor for POST /api/v1/emails/send: read the same JSON body the product reads, answer 202 — no auth,
 * no validation, no database. The product route reads the stream and JSON.parses it (lib/http/read-body.ts); so
 * does this one.
 */
export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const body = JSON.parse(await request.text()) as { to?: unknown };
  const recipients = Array.isArray(body.to) ? body.to.length : 1;
  return Response.json({ id: `msg_${crypto.randomUUID()}`, status: "queued", recipients }, { status: 202 });
}
