import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../src/core/errors.ts';
import { compareMoney } from '../../src/core/money.ts';
import type { ChangePage, DocKind, ErpConnector, ErpDocRef, ExternalKey, StatusChange } from '../../src/erp/erp-connector.ts';

/**
 * The contract every ERP connector passes (sandbox, Tryton against the real server, Kingdee and the generic REST
 * connector against their fakes). It speaks only the port (src/erp/erp-connector.ts); what differs between ERPs is
 * in the harness: valid and invalid payloads, and the ERP side acting as its accountant would.
 */
export interface ContractHarness {
  connector: ErpConnector;
  /** The document kinds the suite creates, each with a valid payload for an amount (`tag` makes it unique). */
  kinds: { docKind: DocKind; payload(amount: string, tag: string): Record<string, string> }[];
  /** A payload the ERP refuses with its own message (a party that does not exist, say). */
  invalid: { docKind: DocKind; payload: Record<string, string> };
  /** The ERP side, as its accountant would act (not through the connector). */
  erpSide: {
    post(ref: ErpDocRef): Promise<void>;
    pay(ref: ErpDocRef, amount: string, bankRef: string): Promise<void>;
  };
  /** Makes the ERP unreachable; the returned function brings it back (absent: the ERP cannot be down alone). */
  outage?(): Promise<() => Promise<void>>;
  /** Optional: the ERP applies the next create but its answer is lost (the caller sees a timeout). */
  loseNextAnswer?(): void;
  close(): Promise<void>;
}

let run = 0;
/** A key no earlier run of the suite used (the real Tryton keeps its documents between files of one run). */
function freshKey(name: string, label: string): ExternalKey {
  run += 1;
  return { namespace: `approval:contract-${name}`, key: `${label}-${process.pid}-${Date.now().toString(36)}-${run}:r1` };
}

/** Reads a change feed to its end from `cursor`; returns every change and the cursor to continue from. */
async function drain(c: ErpConnector, cursor: string | null): Promise<{ changes: StatusChange[]; cursor: string }> {
  const changes: StatusChange[] = [];
  let cur = cursor;
  for (let page = 0; page < 200; page++) {
    const res: ChangePage = await c.listChanges(cur, { limit: 50 });
    changes.push(...res.changes);
    const stuck = res.nextCursor === cur;
    cur = res.nextCursor;
    if (!res.hasMore || stuck) break;
  }
  return { changes, cursor: cur ?? '' };
}

function expectErpError(e: unknown, code: string, retryable: boolean): ExternalServiceError {
  expect(e).toBeInstanceOf(ExternalServiceError);
  const err = e as ExternalServiceError;
  expect(err.code).toBe(code);
  expect(err.retryable).toBe(retryable);
  expect(err.message.length).toBeGreaterThan(0);
  return err;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

export function erpContract(name: string, setup: () => Promise<ContractHarness | null>): void {
  let h: ContractHarness | null = null;
  const harness = (): ContractHarness => {
    if (!h) throw new Error('no harness');
    return h;
  };
  beforeAll(async () => { h = await setup(); });
  afterAll(async () => { await h?.close(); });

  describe(`ERP connector contract: ${name}`, () => {
    it('creates one document per external key, finds it by that key, and reports the amount to the cent', async (ctx) => {
      if (!h) return ctx.skip();
      const { connector } = harness();
      for (const kind of harness().kinds) {
        const key = freshKey(name, kind.docKind);
        const payload = kind.payload('1234.56', key.key);
        const first = await connector.createDocument({ docKind: kind.docKind, externalKey: key, payload, autoApprove: true });
        expect(first.created).toBe(true);
        expect(first.ref.id).not.toBe('');
        expect(first.ref.externalKey).toBe(`${key.namespace}:${key.key}`);
        expect(['submitted', 'approved']).toContain(first.snapshot.status);
        expect(first.snapshot.amounts?.total).toBeDefined();
        expect(compareMoney(first.snapshot.amounts?.total ?? '0', '1234.56')).toBe(0);
        expect(first.snapshot.amounts?.currency).toMatch(/^[A-Z]{3}$/);
        expect(first.snapshot.versionStamp).not.toBe('');
        const again = await connector.createDocument({ docKind: kind.docKind, externalKey: key, payload, autoApprove: true });
        expect(again.created).toBe(false);
        expect(again.ref.id).toBe(first.ref.id);
        const found = await connector.findByExternalKey(kind.docKind, key);
        expect(found?.id).toBe(first.ref.id);
        expect(await connector.findByExternalKey(kind.docKind, freshKey(name, 'never-created'))).toBeNull();
      }
    });

    it('reports posted, then paid with the amount and the payment time, by status read and in the change feed', async (ctx) => {
      if (!h) return ctx.skip();
      const { connector, erpSide, kinds } = harness();
      const kind = kinds[0];
      if (!kind) throw new Error('the harness names no document kind');
      const key = freshKey(name, 'lifecycle');
      const { ref } = await connector.createDocument({ docKind: kind.docKind, externalKey: key, payload: kind.payload('880.10', key.key), autoApprove: true });
      const before = await drain(connector, null);

      await erpSide.post(ref);
      const posted = await connector.getStatus(ref);
      expect(posted.status).toBe('posted');
      expect(posted.postedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      const afterPost = await drain(connector, before.cursor);
      const seenPosted = afterPost.changes.filter((c) => c.ref.externalKey === ref.externalKey);
      expect(seenPosted.map((c) => c.snapshot.status)).toContain('posted');

      await erpSide.pay(ref, '880.10', 'BANK-REF-0001');
      const paid = await connector.getStatus(ref);
      expect(paid.status).toBe('paid');
      expect(compareMoney(paid.amounts?.paid ?? '0', '880.10')).toBe(0);
      expect(paid.payment?.at).toMatch(/^\d{4}-\d{2}-\d{2}/);
      expect(paid.postedAt, 'paid implies posted').toBeDefined();
      const afterPay = await drain(connector, afterPost.cursor);
      const seenPaid = afterPay.changes.filter((c) => c.ref.externalKey === ref.externalKey);
      expect(seenPaid.map((c) => c.snapshot.status)).toContain('paid');

      // Reading again from where the feed ended may repeat the document (an overlap window), never as a new version.
      const again = await drain(connector, afterPay.cursor);
      for (const c of again.changes.filter((x) => x.ref.externalKey === ref.externalKey)) {
        expect(c.snapshot.status).toBe('paid');
        expect(c.snapshot.versionStamp).toBe(seenPaid.at(-1)?.snapshot.versionStamp);
      }
    });

    it('refuses a document the ERP rejects with the ERP\'s own message, and does not retry it', async (ctx) => {
      if (!h) return ctx.skip();
      const { connector, invalid } = harness();
      const key = freshKey(name, 'invalid');
      const e = await rejection(connector.createDocument({ docKind: invalid.docKind, externalKey: key, payload: invalid.payload, autoApprove: true }));
      expectErpError(e, 'erp.validation', false);
      expect(await connector.findByExternalKey(invalid.docKind, key)).toBeNull();
    });

    it('reports an ERP that does not answer as unavailable (retryable), and works again once it is back', async (ctx) => {
      if (!h?.outage) return ctx.skip();
      const { connector, kinds } = harness();
      const kind = kinds[0];
      if (!kind) throw new Error('the harness names no document kind');
      const key = freshKey(name, 'outage');
      const { ref } = await connector.createDocument({ docKind: kind.docKind, externalKey: key, payload: kind.payload('10.00', key.key), autoApprove: true });
      const restore = await (harness().outage?.() ?? Promise.reject(new Error('no outage')));
      try {
        expectErpError(await rejection(connector.getStatus(ref)), 'erp.unavailable', true);
        const other = freshKey(name, 'during-outage');
        const e = await rejection(connector.createDocument({ docKind: kind.docKind, externalKey: other, payload: kind.payload('11.00', other.key), autoApprove: true }));
        expect((e as ExternalServiceError).retryable).toBe(true);
      } finally {
        await restore();
      }
      expect((await connector.getStatus(ref)).ref.id).toBe(ref.id);
    });

    it('after a lost answer, the retry finds the one document the ERP made instead of making a second', async (ctx) => {
      if (!h?.loseNextAnswer) return ctx.skip();
      const { connector, kinds } = harness();
      const kind = kinds[0];
      if (!kind) throw new Error('the harness names no document kind');
      const key = freshKey(name, 'lost-answer');
      const payload = kind.payload('77.70', key.key);
      harness().loseNextAnswer?.();
      const e = await rejection(connector.createDocument({ docKind: kind.docKind, externalKey: key, payload, autoApprove: true }));
      expect((e as ExternalServiceError).retryable).toBe(true);
      const found = await connector.findByExternalKey(kind.docKind, key);
      expect(found, 'the ERP applied the write whose answer was lost').not.toBeNull();
      const retry = await connector.createDocument({ docKind: kind.docKind, externalKey: key, payload, autoApprove: true });
      expect(retry.created).toBe(false);
      expect(retry.ref.id).toBe(found?.id);
      const feed = await drain(connector, null);
      const ids = new Set(feed.changes.filter((c) => c.ref.externalKey === `${key.namespace}:${key.key}`).map((c) => c.ref.id));
      expect([...ids]).toEqual([found?.id]);
    });
  });
}
