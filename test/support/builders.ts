import { newExecutionId } from '../../src/core/executionId';
import { FlowResult } from '../../src/core/flowResult';
import { JsonObject, JsonValue, newObject } from '../../src/core/json';

/** A JsonObject (null prototype) from plain entries. */
export function obj(entries: Record<string, JsonValue> = {}): JsonObject {
  const out = newObject();
  for (const key of Object.keys(entries)) out[key] = entries[key];
  return out;
}

/** The seed's `make_result()`: a fresh id and empty maps and sets. */
export function makeResult(overrides: Partial<FlowResult> = {}): FlowResult {
  return {
    executionId: newExecutionId(),
    outputs: newObject(),
    completedNodes: [],
    skippedNodes: [],
    context: newObject(),
    extraFields: newObject(),
    ...overrides,
  };
}
