import { TEMPLATES, credentialsNeeded } from "@/lib/templates";
import { json, route } from "@/lib/server/http";

export const runtime = "nodejs";

/** Every strategy template, with its workflow (for previews) and what it needs. */
export const GET = route(async () => json(TEMPLATES.map((t) => ({ ...t, credentials: credentialsNeeded(t) }))));
