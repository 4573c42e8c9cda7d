"use server";

import { redirect } from "next/navigation";
import { getDatabase } from "@/db";
import { AppError } from "@/lib/errors";
import { createWorkspaceWithOwner } from "@/lib/workspaces/setup-workspace";
import { checkSetupToken, retireSetupToken } from "@/lib/workspaces/setup-token";

export interface FormState {
  error?: string;
  fields?: Record<string, string>;
}

export async function setupAction(_prev: FormState, form: FormData): Promise<FormState> {
  try {
    if (!checkSetupToken(String(form.get("token") ?? ""))) {
      return {
        error: "The set-up token is missing or wrong. It is printed in the server's console at start and kept in DATA_DIR/setup-token.",
        fields: { token: "Paste the set-up token from the server's console" },
      };
    }
    const database = await getDatabase();
    await createWorkspaceWithOwner(
      database,
      { workspace: String(form.get("workspace") ?? ""), email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") },
      { onlyIfEmpty: true },
    );
  } catch (err) {
    if (err instanceof AppError) {
      const fields = (err.details as { fields?: Array<{ field: string; message: string }> } | undefined)?.fields;
      return { error: err.message, fields: Object.fromEntries((fields ?? []).map((f) => [f.field, f.message])) };
    }
    throw err;
  }
  retireSetupToken();
  redirect("/login?setup=done");
}
