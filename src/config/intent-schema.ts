import { z } from 'zod';
import { MASTER_KINDS } from '../core/master-kinds.ts';
import { checkDatePairs, checkFieldRange } from './field-ranges.ts';
import { checkSlotRole, SLOT_ROLES } from './slot-roles.ts';

/**
 * The intent catalog format (`intents/*.yaml`). One file per intent: what it is called, how people ask
 * for it (examples, keywords: the language side), its typed fields, approval route and ERP mapping.
 * Adding an intent is a YAML change checked at boot and by `npm run check:config`.
 */
export const localizedSchema = z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict();
export type Localized = z.infer<typeof localizedSchema>;

const identifier = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case: a-z, 0-9, _');

export const fieldTypes = ['text', 'textarea', 'number', 'money', 'date', 'month', 'date_range', 'enum', 'user', 'attachment'] as const;

export const enumOptionSchema = z.object({
  value: identifier,
  label: localizedSchema,
  /** Words people use for this option ("打车" → transport). Used by the offline resolver. */
  synonyms: z.array(z.string().min(1)).default([]),
}).strict();

export const fieldSchema = z.object({
  name: identifier,
  type: z.enum(fieldTypes),
  label: localizedSchema,
  /** The question asked when the field is missing. Defaults to "请填写<label>". */
  prompt: localizedSchema.optional(),
  required: z.boolean().default(false),
  /** Literal default, or a relative one: today | this_month. */
  default: z.union([z.string(), z.number()]).optional(),
  options: z.array(enumOptionSchema).optional(),
  /** Numbers for money and number fields, YYYY-MM-DD for dates, YYYY-MM for months (field-ranges.ts). */
  min: z.union([z.number(), z.string()]).optional(),
  max: z.union([z.number(), z.string()]).optional(),
  /** A date field whose value may not be before this other date field's (a return date: `not_before: start_date`). */
  not_before: identifier.optional(),
  /**
   * A text field whose value is a master-data record synced from the ERP (supplier, project, warehouse…): cards
   * offer the records as a select (the current value first, at most 100; typed in where a platform's card cannot
   * carry them, and matched by name on submit), chat matches names and short names (and asks when two match).
   * `connector`: which ERP instance's records (default: the one the intent's documents go to).
   */
  source: z.object({ master: z.enum(MASTER_KINDS), connector: z.string().min(1).optional() }).strict().optional(),
  /** Which offline extractor fills this field from a message (slot-roles.ts); without one, only its type does. */
  extract: z.enum(SLOT_ROLES).optional(),
}).strict().superRefine((f, ctx) => {
  if (f.type === 'enum' && (!f.options || f.options.length === 0)) {
    ctx.addIssue({ code: 'custom', message: 'enum fields need options', path: ['options'] });
  }
  if (f.type !== 'enum' && f.options) ctx.addIssue({ code: 'custom', message: 'options are only for enum fields', path: ['options'] });
  if (f.source && f.type !== 'text') ctx.addIssue({ code: 'custom', message: 'a master-data source is for text fields', path: ['source'] });
  checkFieldRange(f, ctx);
  checkSlotRole(f, ctx);
});
export type FieldDefinition = z.infer<typeof fieldSchema>;

const compareOps = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne', 'in'] as const;
export type CompareOp = (typeof compareOps)[number];

/** Structured conditions: no string expressions, nothing is evaluated. `field` may be `requester.department`. */
export type Condition =
  | { field: string; op: CompareOp; value: string | number | (string | number)[] }
  | { all: Condition[] }
  | { any: Condition[] };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() => z.union([
  z.object({ field: z.string().min(1), op: z.enum(compareOps), value: z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]) }).strict(),
  z.object({ all: z.array(conditionSchema).min(1) }).strict(),
  z.object({ any: z.array(conditionSchema).min(1) }).strict(),
], { error: `a condition is { field, op: ${compareOps.join(' | ')}, value } or { all: [conditions] } or { any: [conditions] }` }));

export const approverRuleSchema = z.discriminatedUnion('rule', [
  z.object({ rule: z.literal('manager') }).strict(),
  z.object({ rule: z.literal('department_leader') }).strict(),
  z.object({ rule: z.literal('role'), role: z.string().min(1) }).strict(),
  z.object({ rule: z.literal('user'), user: z.string().min(1) }).strict(),
]);
export type ApproverRule = z.infer<typeof approverRuleSchema>;

export const routeStepSchema = z.object({
  name: localizedSchema,
  approvers: approverRuleSchema,
  /** any: 或签, one approval completes the step; all: 会签, everyone must approve. */
  mode: z.enum(['any', 'all']).default('any'),
  when: conditionSchema.optional(),
}).strict();

export const policySchema = z.object({
  field: identifier,
  /** Warn on the confirmation card when the field exceeds this value (the submit still goes through). */
  warn_over: z.number(),
  message: localizedSchema,
}).strict();

export const erpMappingSchema = z.object({
  doc_kind: z.enum(['expense_reimbursement', 'payment_request', 'purchase_requisition', 'purchase_order', 'payable', 'journal_voucher', 'material_requisition', 'contract']),
  /** An ERP instance (`sandbox` or the id of a file in ERPS_DIR, checked at boot); omitted = the bot's. */
  connector: z.string().min(1).optional(),
  /** Target field ← template. `{{fields.amount}}`, `{{number}}`, `{{requester.name}}`; no code runs. */
  payload: z.record(z.string(), z.string()),
}).strict();

/**
 * One fallback for a step nobody the rule names may approve: `role_others` (the other members of a role step's role),
 * `managers_manager` (the requester's manager's manager), `user:<id>` (a named person).
 */
export const separationFallbackSchema = z.string().regex(/^(role_others|managers_manager|user:\S+)$/, 'a fallback is role_others, managers_manager or user:<id>');

/**
 * Separation of duties (src/workflow/separation.ts). The requester never approves their own request, whatever this says.
 * `distinct_steps`: nobody approves two steps of one request (a later step that would be theirs goes to its fallback).
 * `transfer`: a transfer to someone who approved, holds or will approve another step is refused, or (`reassign`) goes
 * through and that later step is given to its fallback. `fallback`: tried in order; when none names anyone, the
 * submit is refused (a step is never skipped).
 */
export const separationSchema = z.object({
  distinct_steps: z.boolean().default(true),
  transfer: z.enum(['refuse', 'reassign']).default('refuse'),
  fallback: z.union([separationFallbackSchema, z.array(separationFallbackSchema).min(1)]).default(['role_others', 'managers_manager'])
    .transform((f) => (Array.isArray(f) ? f : [f])),
}).strict();
export type Separation = z.infer<typeof separationSchema>;

/** An intent's separation rules, its `separation:` block or, without one, the safe defaults (everything on). */
export function separationOf(intent: { separation?: Separation | undefined }): Separation {
  return intent.separation ?? separationSchema.parse({});
}

export const intentSchema = z.object({
  key: identifier,
  /** form: collects fields and submits a request; query: answers (status_query). */
  kind: z.enum(['form', 'query']).default('form'),
  /**
   * chat: people ask for it in chat. erp: its requests are documents made in the ERP (an instance's `approvals`
   * maps a document kind here); chat never opens one, and the fields are filled from the document (erp-originated.ts).
   */
  origin: z.enum(['chat', 'erp']).default('chat'),
  /** Prefix of readable request numbers: TRV-202611-0001. */
  prefix: z.string().regex(/^[A-Z]{2,5}$/).optional(),
  name: localizedSchema,
  description: localizedSchema,
  examples: z.object({ zh: z.array(z.string().min(1)).default([]), en: z.array(z.string().min(1)).default([]) }).strict(),
  keywords: z.object({ zh: z.array(z.string().min(1)).default([]), en: z.array(z.string().min(1)).default([]) }).strict().default({ zh: [], en: [] }),
  fields: z.array(fieldSchema).default([]),
  policies: z.array(policySchema).default([]),
  /** Tasks pending longer than this get an automatic reminder. */
  sla_hours: z.number().positive().default(24),
  /** Minimum time between two reminders (催办) on one task. */
  remind_cooldown_minutes: z.number().nonnegative().default(30),
  route: z.object({ steps: z.array(routeStepSchema) }).strict().default({ steps: [] }),
  /** Absent: the defaults (separationOf). */
  separation: separationSchema.optional(),
  erp: erpMappingSchema.optional(),
}).strict().superRefine((intent, ctx) => {
  const names = new Set<string>();
  intent.fields.forEach((f, i) => {
    if (names.has(f.name)) ctx.addIssue({ code: 'custom', message: `duplicate field "${f.name}"`, path: ['fields', i, 'name'] });
    names.add(f.name);
  });
  checkDatePairs(intent.fields, ctx);
  if (intent.kind === 'form') {
    if (!intent.prefix) ctx.addIssue({ code: 'custom', message: 'form intents need a request number prefix', path: ['prefix'] });
    if (intent.route.steps.length === 0) ctx.addIssue({ code: 'custom', message: 'form intents need at least one approval step', path: ['route', 'steps'] });
  }
  intent.policies.forEach((p, i) => {
    if (!names.has(p.field)) ctx.addIssue({ code: 'custom', message: `unknown field "${p.field}"`, path: ['policies', i, 'field'] });
  });
});
export type IntentDefinition = z.infer<typeof intentSchema>;
