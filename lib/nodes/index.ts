import type { AnyNodeDefinition, NodeCatalog } from "../workflow/definition";
import { CATEGORIES } from "../workflow/format";
import { actionNodes } from "./actions";
import { conditionNodes } from "./conditions";
import { indicatorNodes } from "./indicators";
import { providerNodes } from "./providers";
import { riskNodes } from "./risk";
import { strategyNodes } from "./strategy";
import { triggerNodes } from "./triggers";
import { valueNodes } from "./values";

/** Builds a catalog; refuses two definitions of one category/type. */
export function createCatalog(definitions: readonly AnyNodeDefinition[]): NodeCatalog {
  const byKey = new Map<string, AnyNodeDefinition>();
  for (const def of definitions) {
    const key = `${def.category}/${def.type}`;
    if (byKey.has(key)) throw new Error(`node type ${key} is defined twice`);
    byKey.set(key, def);
  }
  const ordered = [...byKey.values()].sort((a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category));
  return {
    get: (category, type) => byKey.get(`${category}/${type}`),
    list: () => ordered,
  };
}

/** The node catalog: every node type the product knows, registered once. */
export const catalog: NodeCatalog = createCatalog([
  ...providerNodes,
  ...triggerNodes,
  ...indicatorNodes,
  ...conditionNodes,
  ...actionNodes,
  ...riskNodes,
  ...valueNodes,
  ...strategyNodes,
]);
