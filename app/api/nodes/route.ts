import { catalog } from "@/lib/nodes";
import { describeCatalog } from "@/lib/nodes/describe";
import { json, route } from "@/lib/server/http";

export const runtime = "nodejs";

/** The node catalog: every node type with its ports and property schema. */
export const GET = route(async () => json(describeCatalog(catalog)));
