/**
 * Sets (or, with undefined, removes) environment variables for a test and drops the process's validated-env cache
 * (and the caches built from it), so the next `env()` reads them. Restore with the same call and `undefined`.
 */
export function setEnv(vars: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const g = globalThis as { __pmEnv?: unknown; __pmProviderCalls?: unknown };
  delete g.__pmEnv;
  delete g.__pmProviderCalls;
}
