import { PROVIDER_KINDS, type ProviderKind } from "../esp/types";
import { AppError } from "../errors";

export function parseProviderKind(value: string): ProviderKind {
  if ((PROVIDER_KINDS as readonly string[]).includes(value)) return value as ProviderKind;
  throw new AppError("not_found", `Unknown provider "${value}"; use one of ${PROVIDER_KINDS.join(", ")}`);
}
