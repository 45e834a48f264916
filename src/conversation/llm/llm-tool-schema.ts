import type { IntentCatalog } from '../../config/intent-catalog.ts';

/**
 * The one function the model may call, generated from the catalog: an action from the closed set,
 * an intent key (or null) and raw field values as strings (null when absent). Strict JSON schema,
 * so the model cannot invent keys; values are still validated and normalized by us.
 */
export const TOOL_NAME = 'resolve_turn';
export const ACTIONS = ['start_intent', 'set_fields', 'confirm', 'cancel', 'status_query', 'help', 'none'] as const;

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description: string; strict: true; parameters: Record<string, unknown> };
}

export function fieldNames(catalog: IntentCatalog): string[] {
  return [...new Set(catalog.chatIntents.flatMap((i) => i.fields.map((f) => f.name)))].sort();
}

export function buildTool(catalog: IntentCatalog): ToolDefinition {
  const names = fieldNames(catalog);
  const keys = catalog.chatIntents.map((i) => i.key);
  return {
    type: 'function',
    function: {
      name: TOOL_NAME,
      description: 'Report what the user wants in this turn.',
      strict: true,
      parameters: {
        type: 'object',
        additionalProperties: false,
        required: ['action', 'intent', 'fields'],
        properties: {
          action: { type: 'string', enum: [...ACTIONS] },
          intent: { type: ['string', 'null'], enum: [...keys, null] },
          fields: {
            type: 'object',
            additionalProperties: false,
            required: names,
            properties: Object.fromEntries(names.map((n) => [n, { type: ['string', 'null'] }])),
          },
        },
      },
    },
  };
}
