/**
 * What the OpenAI Chat Completions API refuses before any model runs, encoded for the fake server.
 * Each rule names its source; the error bodies copy the documented shape
 * `{ error: { message, type, param, code } }` (API reference, "Error codes").
 */
export interface OpenAiError { status: number; error: { message: string; type: string; param: string | null; code: string | null } }

const invalid = (message: string, param: string | null, code: string | null): OpenAiError =>
  ({ status: 400, error: { message, type: 'invalid_request_error', param, code } });

/**
 * Bearer auth (API reference, "Authentication": `Authorization: Bearer OPENAI_API_KEY`). A missing key and a wrong
 * key are both 401 with type invalid_request_error; a wrong key has code `invalid_api_key`.
 */
export function checkAuth(header: string | undefined, expectedKey: string): OpenAiError | null {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) {
    return { status: 401, error: { message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", type: 'invalid_request_error', param: null, code: null } };
  }
  if (m[1] !== expectedKey) {
    return { status: 401, error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };
  }
  return null;
}

/** Function names: a-z, A-Z, 0-9, underscores and dashes, at most 64 (API reference, chat/create, tools[].function.name). */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Keywords strict mode does not support (Structured Outputs guide, "Supported schemas": composition `allOf`, `not`,
 * `if`/`then`/`else`, `dependentRequired`, `dependentSchemas`; for objects `patternProperties`,
 * `unevaluatedProperties`, `propertyNames`, `minProperties`, `maxProperties`).
 */
const UNSUPPORTED = ['allOf', 'not', 'if', 'then', 'else', 'dependentRequired', 'dependentSchemas',
  'patternProperties', 'unevaluatedProperties', 'propertyNames', 'minProperties', 'maxProperties'];
/** Structured Outputs guide, "Objects have limitations on nesting depth and size": 5000 properties, 10 levels, 1000 enum values. */
const MAX_PROPERTIES = 5000;
const MAX_DEPTH = 10;
const MAX_ENUM_VALUES = 1000;

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const typesOf = (s: Schema): string[] => (Array.isArray(s['type']) ? s['type'].map(String) : typeof s['type'] === 'string' ? [s['type']] : []);

interface Walk { properties: number; enumValues: number }

/** The first rule a strict schema breaks, worded as the API words it, or null. */
function strictSchemaProblem(s: unknown, context: string[], depth: number, acc: Walk): string | null {
  const where = `In context=(${context.map((c) => `'${c}'`).join(', ')}${context.length === 1 ? ',' : ''})`;
  if (!isObject(s)) return `${where}, schema must be a JSON Schema object.`;
  if (depth > MAX_DEPTH) return `${where}, exceeded the maximum nesting depth of ${MAX_DEPTH}.`;
  for (const k of UNSUPPORTED) if (k in s) return `${where}, '${k}' is not permitted.`;
  if (Array.isArray(s['enum'])) {
    acc.enumValues += s['enum'].length;
    if (acc.enumValues > MAX_ENUM_VALUES) return `${where}, exceeded the maximum of ${MAX_ENUM_VALUES} enum values across the schema.`;
  }
  if (Array.isArray(s['anyOf'])) {
    for (const [i, sub] of s['anyOf'].entries()) {
      const p = strictSchemaProblem(sub, [...context, 'anyOf', String(i)], depth + 1, acc);
      if (p) return p;
    }
  }
  if (typesOf(s).includes('object')) {
    const props = isObject(s['properties']) ? s['properties'] : {};
    const keys = Object.keys(props);
    acc.properties += keys.length;
    if (acc.properties > MAX_PROPERTIES) return `${where}, exceeded the maximum of ${MAX_PROPERTIES} object properties.`;
    // "additionalProperties: false must always be set in objects" (Supported schemas).
    if (s['additionalProperties'] !== false) return `${where}, 'additionalProperties' is required to be supplied and to be false.`;
    // "All fields must be required" (Supported schemas).
    const required = Array.isArray(s['required']) ? s['required'].map(String) : null;
    const missing = keys.filter((k) => !required?.includes(k));
    if (!required || missing.length) return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0] ?? keys[0] ?? ''}'.`;
    const extra = required.filter((k) => !keys.includes(k));
    if (extra.length) return `${where}, 'required' lists '${extra[0]}', which is not in properties.`;
    for (const k of keys) {
      const p = strictSchemaProblem(props[k], [...context, 'properties', k], depth + 1, acc);
      if (p) return p;
    }
  }
  if (typesOf(s).includes('array') && s['items'] !== undefined) {
    const p = strictSchemaProblem(s['items'], [...context, 'items'], depth + 1, acc);
    if (p) return p;
  }
  return null;
}

interface ToolLike { type?: unknown; function?: { name?: unknown; strict?: unknown; parameters?: unknown } }

/** Request-body rules of POST /v1/chat/completions (API reference, chat/create). */
export function checkChatRequest(body: Record<string, unknown>): OpenAiError | null {
  if (typeof body['model'] !== 'string' || body['model'] === '') return invalid('you must provide a model parameter', null, null);
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'messages', 'empty_array');
  for (const [i, m] of messages.entries()) {
    const role = isObject(m) ? m['role'] : undefined;
    if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(String(role))) {
      return invalid(`Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'tool', 'developer'.`, `messages[${i}].role`, 'invalid_value');
    }
  }
  const tools = (Array.isArray(body['tools']) ? body['tools'] : []) as ToolLike[];
  const names: string[] = [];
  for (const [i, t] of tools.entries()) {
    if (t.type !== 'function' || !isObject(t.function)) return invalid(`Invalid value for 'tools[${i}].type'.`, `tools[${i}].type`, 'invalid_value');
    const name = String(t.function.name ?? '');
    if (!FUNCTION_NAME.test(name)) {
      return invalid(`Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, `tools[${i}].function.name`, 'invalid_value');
    }
    names.push(name);
    if (t.function.strict === true) {
      const params = t.function.parameters;
      if (!isObject(params) || params['type'] !== 'object') {
        return invalid(`Invalid schema for function '${name}': schema must be a JSON Schema of 'type: "object"'.`, `tools[${i}].function.parameters`, 'invalid_function_parameters');
      }
      const problem = strictSchemaProblem(params, [], 1, { properties: 0, enumValues: 0 });
      if (problem) return invalid(`Invalid schema for function '${name}': ${problem}`, `tools[${i}].function.parameters`, 'invalid_function_parameters');
    }
  }
  // A forced tool_choice must name one of `tools` (API reference, chat/create, tool_choice).
  const choice = body['tool_choice'];
  if (isObject(choice)) {
    const fn = isObject(choice['function']) ? String(choice['function']['name'] ?? '') : '';
    if (!names.includes(fn)) return invalid(`Invalid value for 'tool_choice': function '${fn}' not found in 'tools'.`, 'tool_choice', 'invalid_value');
  } else if (choice === 'required' && names.length === 0) {
    return invalid("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice', null);
  }
  return null;
}

/** The name of the function a request forces, when it forces one. */
export function forcedFunction(body: Record<string, unknown>): string | undefined {
  const choice = body['tool_choice'];
  return isObject(choice) && isObject(choice['function']) ? String(choice['function']['name']) : undefined;
}
