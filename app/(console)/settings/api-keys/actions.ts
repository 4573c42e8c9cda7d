"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { currentUser, userContext } from "@/lib/auth/next-auth";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { AppError } from "@/lib/errors";
import { API_KEY_SCOPES } from "@/db/schema";

export interface CreateKeyState {
  error?: string;
  created?: { name: string; key: string };
}

const createKeySchema = z.object({ name: z.string().trim().min(1, "Give the key a name").max(100), scope: z.enum(API_KEY_SCOPES) });

export async function createKeyAction(_prev: CreateKeyState, form: FormData): Promise<CreateKeyState> {
  const user = await currentUser();
  if (!user) return { error: "Your session has ended: sign in again." };
  const parsed = createKeySchema.safeParse({ name: form.get("name"), scope: form.get("scope") ?? "full" });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Invalid input" };
  try {
    const created = await createApiKey(await userContext(user), parsed.data);
    revalidatePath("/settings/api-keys");
    return { created: { name: created.name, key: created.key } };
  } catch (err) {
    if (err instanceof AppError) return { error: err.message };
    throw err;
  }
}

export async function revokeKeyAction(form: FormData): Promise<void> {
  const user = await currentUser();
  if (!user) return;
  try {
    await revokeApiKey(await userContext(user), String(form.get("id")));
  } catch (err) {
    // A refusal (role, unknown key) changes nothing; the page shows the list as it is.
    if (!(err instanceof AppError)) throw err;
  }
  revalidatePath("/settings/api-keys");
}
