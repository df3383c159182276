import type { AnyNodeDefinition, NodeCatalog } from "../workflow/definition";
import { resolvePorts } from "../workflow/definition";
import type { PortSpec } from "../workflow/ports";
import { withDefaults, type PropertySpec } from "../workflow/properties";

/** A node type as the API and the editor's palette see it: everything but the run function. */
export interface NodeDescriptor {
  category: string;
  type: string;
  label: string;
  description: string;
  /** The meaning's version (see NodeDefinition.version). */
  version: number;
  /** Ports with default properties; `dynamicOutputs`/`dynamicInputs` say they follow the properties. */
  inputs: readonly PortSpec[];
  outputs: readonly PortSpec[];
  dynamicInputs: boolean;
  dynamicOutputs: boolean;
  properties: Omit<PropertySpec, "validate">[];
}

export function describeNode(def: AnyNodeDefinition): NodeDescriptor {
  const props = withDefaults(def.properties, {});
  return {
    category: def.category,
    type: def.type,
    label: def.label,
    description: def.description,
    version: def.version ?? 1,
    inputs: resolvePorts(def.inputs, props),
    outputs: resolvePorts(def.outputs, props),
    dynamicInputs: typeof def.inputs === "function",
    dynamicOutputs: typeof def.outputs === "function",
    properties: def.properties.map(({ validate: _validate, ...rest }) => rest),
  };
}

export function describeCatalog(catalog: NodeCatalog): NodeDescriptor[] {
  return catalog.list().map(describeNode);
}
