/**
 * The console's one way to call the JSON API (with its session cookie; lib/http/api-route.ts): parses the error
 * envelope into an ApiError whose field issues forms map back onto their fields. Client-safe.
 */
export interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { fields?: FieldIssue[]; reason?: string } & Record<string, unknown>,
  ) {
    super(message);
  }
  get fields(): FieldIssue[] {
    return this.details?.fields ?? [];
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; csv?: string; signal?: AbortSignal } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? "GET",
    headers: init.csv !== undefined ? { "content-type": "text/csv" } : init.body !== undefined ? { "content-type": "application/json" } : undefined,
    body: init.csv ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
    signal: init.signal,
    credentials: "same-origin",
    cache: "no-store",
  });
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => null)) as { error?: { code: string; message: string; details?: ApiError["details"] } } | null;
  if (!response.ok) {
    const error = payload?.error;
    throw new ApiError(response.status, error?.code ?? "http_error", error?.message ?? `The server answered ${response.status}`, error?.details);
  }
  return payload as T;
}
