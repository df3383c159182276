import { CreateDatasetSchema } from "@/lib/backtest/settings";
import { listDatasets } from "@/lib/db/datasets";
import { json, parseBody, readJson, route } from "@/lib/server/http";
import { uploadDataset } from "@/lib/server/backtest-service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(async () => json(await listDatasets()));

/** `{ name, csv }`: an OHLCV CSV; a bad file is a 400 naming its row and column. */
export const POST = route(async (request) => {
  const { name, csv } = parseBody(CreateDatasetSchema, await readJson(request));
  return json(await uploadDataset(name, csv), 201);
});
