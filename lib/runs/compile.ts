import { catalog } from "../nodes";
import { resolveMarkets } from "../nodes/market-props";
import { validateWorkflow, type CompiledWorkflow } from "../workflow/validate";
import { RunRefusal } from "./errors";

/**
 * Validates and compiles a workflow document against the node catalog. Any problem refuses it with
 * "invalid_workflow": the message names the first three, `details` lists every problem found.
 */
export function compileWorkflow(document: unknown): CompiledWorkflow {
  const result = validateWorkflow(document, catalog);
  if (!result.ok) {
    const { problems } = result;
    const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : "";
    throw new RunRefusal("invalid_workflow", `invalid workflow: ${problems.slice(0, 3).map((p) => p.message).join("; ")}${more}`, problems);
  }
  const warnings = resolveMarkets(result.workflow);
  if (warnings.length > 0) result.workflow.warnings = warnings;
  return result.workflow;
}
