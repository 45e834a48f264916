import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { AppError, NotFoundError } from '../core/errors.ts';
import type { Database } from '../db/database.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { ErpPushPayload } from '../jobs/job-kinds.ts';
import type { DocKind, ErpDocRef, StatusSnapshot } from './erp-connector.ts';
import type { ErpService } from './erp-service.ts';
import type { ErpOriginated } from './erp-originated.ts';

/**
 * Pushes from an ERP (or its adapter): `POST /webhooks/erp/<instance>` with
 *   X-Erp-Event-Id: <id>   X-Erp-Timestamp: <unix seconds>   X-Erp-Signature: sha256=<hex>
 * where the signature is HMAC-SHA256 with the instance's secret over "<timestamp>.<raw body>" (the same scheme as
 * Stripe's and Slack's signed webhooks: the timestamp is signed, so an old request cannot be re-dated).
 * Checked in this order, each refusal changing nothing: unknown instance or one without push (404), missing or
 * malformed headers (400), a timestamp outside the window (401), a wrong signature (401), a body the connector
 * cannot read (400), an event id already received (409). An accepted push is stored with its job in one commit
 * and acknowledged before any work (202); the job reads each document back from the ERP and applies it.
 */
export interface PushInstance {
  id: string;
  tenant: string;
  secret: string;
  windowMs: number;
}

export class PushRefused extends AppError {
  constructor(code: string, message: string, httpStatus: number) {
    super(code, message, { httpStatus });
  }
}

export function pushSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Checks a push's headers and signature against the instance; returns its event id. Throws PushRefused. */
export function verifyPush(inst: PushInstance, headers: { eventId?: string; timestamp?: string; signature?: string }, rawBody: string, now: Date): string {
  const { eventId, timestamp, signature } = headers;
  if (!eventId || !/^[\x21-\x7e]{1,200}$/.test(eventId)) throw new PushRefused('erp.push_bad_request', 'X-Erp-Event-Id is missing or not 1–200 visible ASCII characters', 400);
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw new PushRefused('erp.push_bad_request', 'X-Erp-Timestamp is missing or not unix seconds', 400);
  if (!signature || !/^sha256=[0-9a-f]{64}$/.test(signature)) throw new PushRefused('erp.push_bad_request', 'X-Erp-Signature is missing or not sha256=<64 hex digits>', 400);
  const skew = Math.abs(now.getTime() - Number(timestamp) * 1000);
  if (skew > inst.windowMs) throw new PushRefused('erp.push_stale', `the timestamp is ${Math.round(skew / 1000)} s away from now (window ${inst.windowMs / 1000} s)`, 401);
  if (!sameSignature(signature, pushSignature(inst.secret, timestamp, rawBody))) throw new PushRefused('erp.push_bad_signature', 'the signature does not match the body', 401);
  return eventId;
}

export interface ErpPushDeps {
  db: Kysely<Database>;
  erp: ErpService;
  /** Documents made in the ERP that wait for approval in chat: a push about one is applied there. */
  originated?: ErpOriginated;
  clock: Clock;
  logger: Logger;
  maxAttempts: number;
  /** After a push was stored (wakes the outbox). */
  onCommitted?: () => void;
}

/** Receives verified pushes and applies them (the erp.push job). */
export class ErpPushes {
  constructor(private readonly d: ErpPushDeps) {}

  /**
   * Stores a verified push: the connector reads the body first (a body it cannot read is refused, nothing kept),
   * then the event id is recorded and the job enqueued in one transaction. A repeat of an id is refused (409).
   */
  async accept(inst: PushInstance, eventId: string, body: unknown): Promise<{ documents: number }> {
    const connector = this.d.erp.connector(inst.id);
    if (!connector.parsePush) throw new PushRefused('erp.push_unsupported', `ERP instance "${inst.id}" does not take pushes`, 404);
    const notice = connector.parsePush(body);
    const payload: ErpPushPayload = { instance: inst.id, eventId, documents: notice.documents.slice(0, 500) };
    const stored = await this.d.db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('erp_push_events').values({ instance: inst.id, event_id: eventId, tenant_id: inst.tenant, received_at: this.d.clock.now() })
        .onConflict((oc) => oc.columns(['instance', 'event_id']).doNothing()).returning('event_id').executeTakeFirst();
      if (!row) return false;
      await enqueue(trx, [{ tenantId: inst.tenant, kind: 'erp.push', payload, idempotencyKey: `erp.push:${inst.id}:${eventId}` }], this.d.maxAttempts);
      return true;
    });
    if (!stored) throw new PushRefused('erp.push_duplicate', `event ${eventId} was already received`, 409);
    this.d.onCommitted?.();
    return { documents: payload.documents.length };
  }

  /**
   * The erp.push job: each document named is found among ours (by ERP id or by our key) and read back from the
   * ERP; what it says now is applied like a polled change. Documents we did not create are skipped.
   */
  async apply(tenantId: string, p: ErpPushPayload): Promise<number> {
    const connector = this.d.erp.connector(p.instance);
    let applied = 0;
    for (const d of p.documents) {
      let q = this.d.db.selectFrom('erp_documents').select(['erp_id', 'doc_kind', 'number', 'external_key', 'form_id']).where('tenant_id', '=', tenantId).where('connector', '=', p.instance);
      if (d.externalKey) q = q.where('external_key', '=', d.externalKey);
      else if (d.id) q = q.where('erp_id', '=', d.id);
      else continue;
      const doc = await q.executeTakeFirst();
      if (!doc && connector.approvals && this.d.originated && !d.externalKey?.startsWith('approval:')) {
        const outcome = await this.d.originated.applyPushed(tenantId, p.instance, { ...(d.id ? { id: d.id } : {}), ...(d.docKind ? { docKind: d.docKind } : {}) });
        if (outcome !== 'ignored' && outcome !== 'repeat') applied++;
        continue;
      }
      if (!doc?.erp_id) {
        this.d.logger.info({ instance: p.instance, eventId: p.eventId, document: d }, 'pushed document is not one of ours (or not linked yet); skipped');
        continue;
      }
      const ref: ErpDocRef = { erp: connector.erp, docKind: doc.doc_kind as DocKind, formId: doc.form_id ?? '', id: doc.erp_id, externalKey: doc.external_key, ...(doc.number ? { number: doc.number } : {}) };
      let snapshot: StatusSnapshot;
      try {
        snapshot = await connector.getStatus(ref);
      } catch (e: unknown) {
        if (e instanceof NotFoundError || (e instanceof AppError && e.code === 'erp.not_found')) continue;
        throw e;
      }
      if (await this.d.erp.applyChange(tenantId, p.instance, { snapshot })) applied++;
    }
    return applied;
  }
}
