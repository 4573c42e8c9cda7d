import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/next-auth";

export const dynamic = "force-dynamic";

async function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  // next-auth 4 reads params synchronously; Next 16 hands them as a promise.
  const params = await context.params;
  return (NextAuth(authOptions()) as (r: Request, c: unknown) => Promise<Response>)(request, { params });
}

export { handler as GET, handler as POST };
