/**
 * Runs once when the Next.js server boots: open the database (taking the PGlite lock), apply migrations, and
 * start the in-process dispatcher. Nothing starts as a side effect of importing a module.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServerRuntime } = await import("./lib/server-runtime");
  await startServerRuntime();
}
