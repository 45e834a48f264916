import type { Logger } from 'pino';
import type { ErpInstance } from '../../../config/erp-instances.ts';
import type { Clock } from '../../../core/clock.ts';
import { ConfigError, ExternalServiceError } from '../../../core/errors.ts';
import type { ConnectorDeps } from '../../connector-kind.ts';
import {
  externalKeyString, type Capabilities, type ChangePage, type CreateDocumentInput, type CreateResult, type DocKind, type ErpConnector,
  type ErpDocRef, type ExternalKey, type PushNotice, type StatusSnapshot,
} from '../../erp-connector.ts';
import type { MasterDataSource } from '../../master-data-port.ts';
import type { ApprovalInbox } from '../../originated-port.ts';
import { readChanges } from './feed.ts';
import { TrytonLookups, validation } from './lookups.ts';
import { TrytonMasterData } from './master.ts';
import { TRYTON_MASTER_KINDS, type TrytonMasterKind } from './master-specs.ts';
import { parseTrytonPush } from './push.ts';
import { TrytonReader, type TrytonDoc } from './reader.ts';
import { clientLink } from './requisition-doc.ts';
import { TrytonRequisitions } from './requisitions.ts';
import { TrytonRpcClient } from './rpc-client.ts';
import { TRYTON_SERVICE, writeCall } from './rpc-errors.ts';
import type { TrytonSettings } from './settings.ts';
import { INVOICE_MODEL, modelOf, PURCHASE_MODEL, type TrytonModel } from './status.ts';
import { invoiceValues, purchaseValues } from './values.ts';

/**
 * Tryton 6.0 over JSON-RPC (rpc-client.ts): expense claims become supplier invoices to the employee, purchase requests
 * purchases to the supplier (values.ts), both carrying the external key in `reference`, which is how they are found
 * again (Tryton has no idempotency key: look up, then create). Statuses: status.ts; change feed: feed.ts; push: the
 * server module erp-modules/tryton/approval_webhook (push.ts reads its body).
 *
 * Tryton ignores a workflow button the record's state does not allow (the call answers null and nothing happens), so
 * every button is followed by a read, and the state read decides.
 *
 * Documents made in Tryton and approved in chat: purchase requisitions (`approvals`, requisitions.ts); master data:
 * parties, employees, products, warehouses, accounts (`masterData`, master.ts).
 */
/** Document kinds Tryton brings to chat for approval (instance `approvals`); the default when the file names none. */
const ORIGINATED_KINDS: readonly DocKind[] = ['purchase_requisition'];
const APPROVED_STATES: Record<TrytonModel, readonly string[]> = {
  [INVOICE_MODEL]: ['validated', 'posted', 'paid'],
  [PURCHASE_MODEL]: ['quotation', 'confirmed', 'processing', 'done'],
};
const APPROVE_BUTTON: Record<TrytonModel, string> = { [INVOICE_MODEL]: 'validate_invoice', [PURCHASE_MODEL]: 'quote' };

export class TrytonConnector implements ErpConnector {
  readonly erp = 'tryton';
  readonly id: string;
  readonly rpc: TrytonRpcClient;
  readonly approvals: ApprovalInbox;
  readonly masterData: MasterDataSource;
  private readonly reader: TrytonReader;
  private readonly lookups: TrytonLookups;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(instance: ErpInstance, private readonly settings: TrytonSettings, deps: ConnectorDeps) {
    const { login, password } = instance.credentials;
    if (!login || !password) throw new ConfigError(`${instance.file}: credentials: a Tryton instance needs login and password`);
    this.rpc = new TrytonRpcClient({
      url: instance.baseUrl, database: settings.database, login, password, language: settings.language, timeoutMs: instance.timeoutMs,
      ...(settings.company !== undefined ? { company: settings.company } : {}), ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    this.id = instance.id;
    this.reader = new TrytonReader(this.rpc, this.erp);
    this.lookups = new TrytonLookups(this.rpc, settings);
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.approvals = new TrytonRequisitions(this.rpc, {
      erp: this.erp, docKinds: originatedKinds(instance), link: clientLink(instance.baseUrl, settings.database), logger: deps.logger,
    });
    this.masterData = new TrytonMasterData(this.rpc, settings, deps.clock, masterKinds(instance));
  }

  capabilities(): Capabilities {
    return { idempotency: 'lookup-only', push: 'plugin', canUnapprove: true, canDeleteAfterReject: true, approvalMode: 'bot-is-source' };
  }

  async createDocument(input: CreateDocumentInput, opts: { signal?: AbortSignal } = {}): Promise<CreateResult> {
    const model = this.model(input.docKind);
    const key = externalKeyString(input.externalKey);
    let doc = await this.byReference(model, input.docKind, key);
    const created = !doc;
    if (!doc) {
      opts.signal?.throwIfAborted();
      const context = { lookups: this.lookups, clock: this.clock, settings: this.settings };
      const values = model === INVOICE_MODEL ? await invoiceValues(context, input.payload, key) : await purchaseValues(context, input.payload, key);
      opts.signal?.throwIfAborted();
      const [id] = await this.write(`create ${model}`, () => this.rpc.create(model, [values]));
      if (typeof id !== 'number') throw new ExternalServiceError(TRYTON_SERVICE, 'erp.result_unknown', `Tryton created no ${model} for ${key}`, { retryable: true });
      doc = await this.readOne(model, input.docKind, id);
      this.logger.info({ erp: this.id, model, id, reference: key }, 'Tryton document created');
    }
    if (input.autoApprove && doc.snapshot.raw.state === 'draft') {
      opts.signal?.throwIfAborted();
      doc = await this.approveDraft(doc, input.docKind);
    }
    return { ref: doc.snapshot.ref, created, snapshot: doc.snapshot };
  }

  async findByExternalKey(docKind: DocKind, key: ExternalKey): Promise<ErpDocRef | null> {
    const model = modelOf(docKind);
    if (!model) return null;
    return (await this.byReference(model, docKind, externalKeyString(key)))?.snapshot.ref ?? null;
  }

  /** Documents the bot creates are submitted by being created: submit only reports where they are. */
  async submit(ref: ErpDocRef): Promise<StatusSnapshot> {
    const doc = await this.doc(ref);
    if (doc.snapshot.status === 'cancelled') throw this.wrongState(doc, 'submit');
    return doc.snapshot;
  }

  /** Invoice: validate (draft → validated); purchase: quote (draft → quotation). Already further along counts as done. */
  async approve(ref: ErpDocRef): Promise<StatusSnapshot> {
    const doc = await this.doc(ref);
    return doc.snapshot.raw.state === 'draft' ? (await this.approveDraft(doc, ref.docKind)).snapshot : this.expectApproved(doc, 'approve').snapshot;
  }

  /**
   * Back to draft so people can edit it (invoice validated → draft; purchase quotation or confirmed → draft), the reason
   * in its comment; with deleteIfPossible the draft is deleted (an invoice that already has a number is cancelled:
   * Tryton keeps numbered invoices). A posted invoice or a purchase in progress cannot go back
   * (the accountant credits it or cancels it in Tryton): erp.not_allowed_in_state.
   */
  async reverse(ref: ErpDocRef, opts: { reason: string; deleteIfPossible?: boolean }): Promise<StatusSnapshot> {
    let doc = await this.doc(ref);
    const state = String(doc.snapshot.raw.state);
    if (state === 'cancelled') return doc.snapshot;
    const reversible = doc.model === INVOICE_MODEL ? ['draft', 'validated'] : ['draft', 'quotation', 'confirmed'];
    if (!reversible.includes(state)) throw this.wrongState(doc, 'reverse');
    if (state !== 'draft') {
      await this.write(`draft ${doc.model}`, () => this.rpc.button(doc.model, 'draft', [doc.id]));
      doc = await this.doc(ref);
      if (doc.snapshot.raw.state !== 'draft') throw this.wrongState(doc, 'reverse');
    }
    if (opts.deleteIfPossible && doc.model === INVOICE_MODEL && doc.snapshot.ref.number) {
      // Tryton keeps an invoice that got a number (its sequence has no gaps): it is cancelled instead.
      await this.write(`write ${doc.model}`, () => this.rpc.write(doc.model, [doc.id], { comment: opts.reason }));
      await this.write(`cancel ${doc.model}`, () => this.rpc.button(doc.model, 'cancel', [doc.id]));
      const cancelled = await this.doc(ref);
      if (cancelled.snapshot.status !== 'cancelled') throw this.wrongState(cancelled, 'cancel');
      return cancelled.snapshot;
    }
    if (opts.deleteIfPossible) {
      await this.write(`delete ${doc.model}`, () => this.rpc.model(doc.model, 'delete', [[doc.id]]));
      return { ...doc.snapshot, status: 'cancelled', raw: { ...doc.snapshot.raw, deleted: true, reason: opts.reason }, versionStamp: `deleted|${doc.id}` };
    }
    await this.write(`write ${doc.model}`, () => this.rpc.write(doc.model, [doc.id], { comment: opts.reason }));
    return (await this.doc(ref)).snapshot;
  }

  async getStatus(ref: ErpDocRef): Promise<StatusSnapshot> {
    return (await this.doc(ref)).snapshot;
  }

  listChanges(cursor: string | null, opts: { limit?: number } = {}): Promise<ChangePage> {
    return readChanges(this.reader, cursor, Math.max(1, opts.limit ?? 100));
  }

  parsePush(body: unknown): PushNotice {
    return parseTrytonPush(body);
  }

  async close(): Promise<void> {
    await this.rpc.logout().catch((e: unknown) => this.logger.warn({ erp: this.id, err: e }, 'Tryton logout failed'));
  }

  private model(docKind: DocKind): TrytonModel {
    const model = modelOf(docKind);
    if (!model) throw validation(`the Tryton connector does not create ${docKind} documents (it creates expense_reimbursement, purchase_requisition, purchase_order)`);
    return model;
  }

  /** The document whose reference is the key; the oldest if a copy in Tryton carries it too. */
  private async byReference(model: TrytonModel, docKind: DocKind, key: string): Promise<TrytonDoc | null> {
    const [doc] = await this.reader.read(model, [['reference', '=', key]], { limit: 1, order: [['id', 'ASC']] }, docKind);
    return doc ?? null;
  }

  private async readOne(model: TrytonModel, docKind: DocKind, id: number): Promise<TrytonDoc> {
    const [doc] = await this.reader.read(model, [['id', '=', id]], { limit: 1 }, docKind);
    if (!doc) throw new ExternalServiceError(TRYTON_SERVICE, 'erp.not_found', `Tryton has no ${model} ${id}`, { retryable: false, httpStatus: 404, details: { model, id } });
    return doc;
  }

  private doc(ref: ErpDocRef): Promise<TrytonDoc> {
    const model = ref.formId === INVOICE_MODEL || ref.formId === PURCHASE_MODEL ? ref.formId : this.model(ref.docKind);
    const id = Number(ref.id);
    if (!Number.isInteger(id) || id <= 0) throw new ExternalServiceError(TRYTON_SERVICE, 'erp.not_found', `"${ref.id}" is not a Tryton record id`, { retryable: false, httpStatus: 404 });
    return this.readOne(model, ref.docKind, id);
  }

  /** Presses the approve button on a draft and reads the state back. Tryton refusing it (a date without an open
   *  period, say) deletes the draft the bot made, so nothing is left half-done: the error carries Tryton's words. */
  private async approveDraft(doc: TrytonDoc, docKind: DocKind): Promise<TrytonDoc> {
    try {
      await this.write(`${APPROVE_BUTTON[doc.model]} ${doc.model}`, () => this.rpc.button(doc.model, APPROVE_BUTTON[doc.model], [doc.id]));
    } catch (e) {
      if (e instanceof ExternalServiceError && e.code === 'erp.validation') {
        this.lookups.forget();
        await this.rpc.model(doc.model, 'delete', [[doc.id]]).catch((d: unknown) => this.logger.warn({ erp: this.id, model: doc.model, id: doc.id, err: d }, 'refused Tryton draft not deleted'));
      }
      throw e;
    }
    return this.expectApproved(await this.readOne(doc.model, docKind, doc.id), 'approve');
  }

  private expectApproved(doc: TrytonDoc, action: string): TrytonDoc {
    if (!APPROVED_STATES[doc.model].includes(String(doc.snapshot.raw.state))) throw this.wrongState(doc, action);
    return doc;
  }

  private wrongState(doc: TrytonDoc, action: string): ExternalServiceError {
    return new ExternalServiceError(TRYTON_SERVICE, 'erp.not_allowed_in_state', `Tryton ${doc.model} ${doc.snapshot.ref.number ?? doc.id} is ${String(doc.snapshot.raw.state)}: cannot ${action} it`, {
      retryable: false, httpStatus: 409, details: { model: doc.model, id: doc.id, state: doc.snapshot.raw.state },
    });
  }

  /** A write whose answer was lost (timeout, reset connection) may have been applied: erp.result_unknown (writeCall). */
  private async write<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await writeCall(what, call);
    } catch (e) {
      if (e instanceof ExternalServiceError && e.code === 'erp.validation') this.lookups.forget();
      throw e;
    }
  }
}

/** The doc kinds of the instance's `approvals` (each one Tryton can bring to chat), else purchase requisitions. */
function originatedKinds(instance: ErpInstance): DocKind[] {
  const named = [...new Set(instance.approvals.map((a) => a.docKind))];
  const unknown = named.filter((k) => !ORIGINATED_KINDS.includes(k as DocKind));
  if (unknown.length) throw new ConfigError(`${instance.file}: approvals: Tryton brings ${ORIGINATED_KINDS.join(', ')} to chat, not ${unknown.join(', ')}`);
  return named.length ? (named as DocKind[]) : [...ORIGINATED_KINDS];
}

/** The master data kinds the instance file switched on (null: all Tryton shares); one Tryton does not have is an error. */
function masterKinds(instance: ErpInstance): TrytonMasterKind[] | null {
  const kinds = instance.masterData?.kinds;
  if (!kinds) return null;
  const unknown = kinds.filter((k) => !(TRYTON_MASTER_KINDS as readonly string[]).includes(k));
  if (unknown.length) throw new ConfigError(`${instance.file}: master_data.kinds: Tryton shares ${TRYTON_MASTER_KINDS.join(', ')}, not ${unknown.join(', ')}`);
  return kinds as TrytonMasterKind[];
}
