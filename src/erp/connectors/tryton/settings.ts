import { z } from 'zod';

/**
 * The `settings:` block of a Tryton instance file (erps/<id>.yaml). The envelope around it (base_url, credentials
 * `login` and `password`, timeout_ms, poll interval, push secret) is src/config/erp-instances.ts.
 *
 *   settings:
 *     database: erp                     # Tryton database name (the first path segment of the JSON-RPC URL)
 *     company: 1                        # optional: company id; default the bot user's current company
 *     timezone: Asia/Shanghai           # the calendar for "today" when a payload has no date
 *     expense:
 *       journal: EXP                    # code, name or id; default the one journal of type "expense"
 *       account: "6602"                 # code, name or id of the expense account on the invoice line
 *       payable_account: "2202"         # optional; default the party's payable, else the accounting configuration's
 *     purchase:
 *       warehouse: WH                   # optional: code, name or id; default Tryton's default warehouse
 *     master_data:
 *       supplier_category: Suppliers    # optional party category (exact name); default: every party is a supplier
 *       customer_category: Customers    # optional, likewise for customers
 *
 * A record named by code or name must match exactly one record of the company; an id is used as it is. The lookups
 * are made on the first document and kept (a refused create forgets them, so a fixed Tryton is read again).
 */
const recordRef = z.union([
  z.number().int().positive(),
  z.string().trim().min(1),
]);

export const trytonSettingsSchema = z.object({
  /** The Tryton database (`POST <base_url>/<database>/`). */
  database: z.string().trim().min(1),
  /** Company id to work in (sent as `company` in every call's context); default: the bot user's current company. */
  company: z.number().int().positive().optional(),
  /** Language code sent at login (Tryton's messages, e.g. a refused document's reason, come in it). */
  language: z.string().trim().min(2).default('en'),
  /** IANA time zone of the company's calendar: invoice and purchase dates default to today there. */
  timezone: z.string().trim().min(1).default('Asia/Shanghai')
    .refine((tz) => { try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; } }, 'an IANA time zone such as Asia/Shanghai'),
  /** Travel and expense claims (expense_reimbursement) → supplier invoices (account.invoice, type "in") to the employee. */
  expense: z.object({
    /** The invoice journal; default: the only journal of type "expense". */
    journal: recordRef.optional(),
    /** The expense account of the invoice line (a payload `account` overrides it for one document). */
    account: recordRef,
    /** The payable account of the invoice; default: the party's own payable account, else Tryton's default payable. */
    payable_account: recordRef.optional(),
  }).strict(),
  /** Purchase requests (purchase_requisition, purchase_order) → purchases (purchase.purchase) to the supplier. */
  purchase: z.object({
    /** The receiving warehouse (stock.location of type warehouse); default: Tryton's default warehouse. */
    warehouse: recordRef.optional(),
  }).strict().default({}),
  /**
   * Master data (master.ts). Tryton 6.0 has no supplier or customer flag on a party: every party can be either.
   * A deployment that tags them with party categories names the categories here.
   */
  master_data: z.object({
    /** Only parties in this category (exact name) are suppliers; a party taken out of it is shared as inactive. */
    supplier_category: z.string().trim().min(1).optional(),
    /** Only parties in this category (exact name) are customers. */
    customer_category: z.string().trim().min(1).optional(),
  }).strict().default({}),
}).strict();

export type TrytonSettings = z.infer<typeof trytonSettingsSchema>;
export type RecordRef = z.infer<typeof recordRef>;
