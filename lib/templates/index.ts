import { z } from "zod";
import { WorkflowDocumentSchema } from "../workflow/format";
import crossExchangeArbitrage from "./cross-exchange-arbitrage.json";
import fundingRateArbitrage from "./funding-rate-arbitrage.json";
import gridTrading from "./grid-trading.json";
import rsiMeanReversion from "./rsi-mean-reversion.json";
import macdCrossover from "./macd-crossover.json";
import bollingerBands from "./bollinger-bands.json";
import emaCross from "./ema-cross.json";
import volumeSpike from "./volume-spike.json";
import supportResistance from "./support-resistance.json";
import deltaNeutral from "./delta-neutral.json";
import marketMaking from "./market-making.json";

/**
 * The strategy templates: data files in this folder, in the seed's workflow format with canvas positions,
 * plus what a trader needs to choose one. The order here is the gallery's order.
 */
export const TemplateSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  description: z.string().min(1),
  makes_money: z.string().min(1),
  loses_money: z.string().min(1),
  tags: z.array(z.string()).min(1),
  providers: z.array(z.enum(["polymarket", "binance", "kalshi"])).min(1),
  parameters: z.array(z.object({ block: z.string(), property: z.string(), label: z.string() })),
  workflow: WorkflowDocumentSchema,
});
export type Template = z.infer<typeof TemplateSchema>;

export const TEMPLATES: readonly Template[] = [crossExchangeArbitrage, fundingRateArbitrage, gridTrading, rsiMeanReversion, macdCrossover, bollingerBands, emaCross, volumeSpike, supportResistance, deltaNeutral, marketMaking].map((t) => TemplateSchema.parse(t));

export function getTemplate(id: string): Template | undefined {
  return TEMPLATES.find((t) => t.id === id);
}

/** What each template needs to trade for real: nothing for the simulated market and paper trading. */
export function credentialsNeeded(t: Template): string {
  return `None to run on the simulated market with paper trading; ${t.providers.map((p) => p[0]!.toUpperCase() + p.slice(1)).join(" and ")} credential profile${t.providers.length > 1 ? "s" : ""} to trade live.`;
}
