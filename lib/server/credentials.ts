import "server-only";
import { CREDENTIAL_FIELDS, type Provider } from "../api/schemas";
import { ApiError, zodProblems } from "./http";

/**
 * Checks a provider's secret fields. Problems name the field and what is wrong with it, never its value:
 * zod's messages here are our own texts, which do not echo input.
 */
export function checkCredentials(provider: Provider, credentials: Record<string, unknown>): Record<string, string> {
  const result = CREDENTIAL_FIELDS[provider].safeParse(credentials);
  if (!result.success) {
    const problems = zodProblems(result.error).map((p) => ({ path: `credentials.${p.path}`, message: p.message.replace(/"[^"]*"/g, (m) => (m.length > 40 ? '"..."' : m)) }));
    const expected = Object.keys(CREDENTIAL_FIELDS[provider].shape).join(", ");
    throw new ApiError(400, `invalid ${provider} credentials: ${problems.map((p) => `${p.path} ${p.message}`).join("; ")} (fields: ${expected})`, problems);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.data)) if (typeof v === "string") out[k] = v;
  return out;
}
