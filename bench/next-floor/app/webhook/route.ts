/** Framework floor for POST /webhooks/postmark/{hook_id}: parse the same webhook JSON, answer 200. */
export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const body = JSON.parse(await request.text()) as { RecordType?: string };
  return Response.json({ stored: body.RecordType ? 1 : 0, duplicates: 0, replayed: false }, { status: 200 });
}
