import { CreateProfileSchema, ProviderSchema } from "@/lib/api/schemas";
import { createProfile, listProfiles } from "@/lib/db/credential-profiles";
import { checkCredentials } from "@/lib/server/credentials";
import { json, parseBody, readJson, route } from "@/lib/server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Profiles, optionally of one provider: `[{ id, name, provider, created_at, ... }]`, never a secret. */
export const GET = route(async (request) => {
  const raw = new URL(request.url).searchParams.get("provider");
  const provider = raw === null ? undefined : parseBody(ProviderSchema, raw, "provider query parameter");
  return json(await listProfiles(provider));
});

export const POST = route(async (request) => {
  const body = parseBody(CreateProfileSchema, await readJson(request));
  const credentials = checkCredentials(body.provider, body.credentials);
  return json(await createProfile({ name: body.name, provider: body.provider, credentials, liveCapable: body.live_capable }), 201);
});
