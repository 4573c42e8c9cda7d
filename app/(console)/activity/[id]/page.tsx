import Link from "next/link";
import { notFound } from "next/navigation";
import { ChevronLeft } from "lucide-react";
import { requireConsole } from "@/lib/console/require-user";
import { atLeast } from "@/lib/auth/roles";
import { getEmail, getEmailContent } from "@/lib/sending/read-emails";
import { listEventsForMessage } from "@/lib/events/list-events";
import { AppError } from "@/lib/errors";
import { PageHeader } from "@/components/ui/card";
import { MessageClient, type EmailDetail } from "./client";

export const dynamic = "force-dynamic";

export default async function MessagePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { user, ctx } = await requireConsole();
  if (!/^msg_[0-9a-z]{26}$/.test(id)) notFound();
  let email: EmailDetail;
  let content: Awaited<ReturnType<typeof getEmailContent>>;
  try {
    [email, content] = await Promise.all([getEmail(ctx, id, { events: (messageId) => listEventsForMessage(ctx, messageId) }) as Promise<EmailDetail>, getEmailContent(ctx, id)]);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
  return (
    <>
      <Link href="/activity" className="mb-3 inline-flex items-center gap-1 text-sm text-sky-800 underline">
        <ChevronLeft aria-hidden className="size-4" /> Activity
      </Link>
      <PageHeader title={email.subject || "(no subject)"} description={<code className="text-xs">{email.id}</code>} />
      <MessageClient initial={email} content={content} canManage={atLeast(user.role, "admin")} />
    </>
  );
}
