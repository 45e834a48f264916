import { z } from 'zod';
import type { DocKind } from '../../erp-connector.ts';

/** Every document kind of the port, in the order of the contract's `DocKind` enum (docs/erp-rest-contract.openapi.yaml). */
export const REST_DOC_KINDS = [
  'expense_reimbursement', 'payment_request', 'purchase_requisition', 'purchase_order', 'payable', 'journal_voucher',
  'material_requisition', 'contract',
] as const satisfies readonly DocKind[];

// Both ways: the list names every DocKind of the port and nothing else.
type Missing = Exclude<DocKind, (typeof REST_DOC_KINDS)[number]>;
const everyKind: Missing extends never ? true : Missing = true;
void everyKind;

/** Headers an adapter may not get from the settings: the connector sets them itself. */
const RESERVED_HEADERS = new Set(['authorization', 'content-type', 'accept', 'content-length', 'host']);

/**
 * The `settings:` block of a `kind: rest` instance file (erps/<id>.yaml). The instance's envelope already has the
 * adapter's `base_url`, `timeout_ms` and `credentials.token` (the environment variable with the bearer token).
 */
export const restSettingsSchema = z.object({
  /** Where the contract's paths start under `base_url` ("/erp/v1"); empty: at its root. */
  path_prefix: z.string().regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'empty, or /segments without a trailing slash').default(''),
  /** The document kinds this adapter makes; a create for another kind fails at once. Default: every kind. */
  doc_kinds: z.array(z.enum(REST_DOC_KINDS)).min(1).refine((l) => new Set(l).size === l.length, 'a kind is listed twice').optional(),
  /**
   * The kinds of documents made in the ERP that this instance brings to chat (`GET /originated`); the instance
   * file's `approvals` map each to an intent. Documents of other kinds in the adapter's feed are skipped.
   */
  originated_kinds: z.array(z.enum(REST_DOC_KINDS)).min(1).refine((l) => new Set(l).size === l.length, 'a kind is listed twice')
    .default(['purchase_requisition']),
  /** Whether the adapter implements `POST /documents/by-id/{id}/decide` (approve, reject). */
  decisions: z.boolean().default(false),
  /** The currency sent when a payload has none (ISO 4217). */
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as CNY').default('CNY'),
  /** Fixed, non-secret headers for every call (a gateway's tenant header, say). Secrets go in credentials. */
  headers: z.record(
    z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name').refine((h) => !RESERVED_HEADERS.has(h.toLowerCase()), 'set by the connector itself'),
    z.string().max(500).regex(/^[^\r\n]*$/, 'one line'),
  ).default({}),
}).strict();

export type RestSettings = z.infer<typeof restSettingsSchema>;
