import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpDocRef } from '../../src/erp/erp-connector.ts';
import type { TrytonConnector } from '../../src/erp/connectors/tryton/connector.ts';
import { adminClient, EMPLOYEE, makeConnector, payInvoice, postInvoice } from '../support/tryton/connector-harness.ts';
import { startTryton, type TrytonServer } from '../support/tryton/start-tryton.ts';
import { registerStateTriggers } from '../support/tryton/webhook-triggers.ts';

/**
 * Push from a real trytond: the repository's module erp-modules/tryton/approval_webhook (activated by the test set-up)
 * runs an ir.trigger action that POSTs a signed notice when an invoice becomes posted or paid. A local HTTP server
 * stands in for the service's webhook route; this test checks what reaches it (signature over "<timestamp>.<body>",
 * the event id in header and body) and that the connector reads the body into documents it can read back.
 */
const tryton = await startTryton();

interface Received { headers: IncomingHttpHeaders; body: string; path: string }

function expectedSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

async function until<T>(what: string, get: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!tryton)('Tryton push module (real trytond → local webhook)', () => {
  const t = tryton as TrytonServer;
  const received: Received[] = [];
  let sink: Server;
  let status = 200;
  let c: TrytonConnector;

  beforeAll(async () => {
    sink = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => { body += chunk; });
      req.on('end', () => {
        received.push({ headers: req.headers, body, path: req.url ?? '' });
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    sink.listen(0, '127.0.0.1');
    await once(sink, 'listening');
    const { port } = sink.address() as { port: number };
    await registerStateTriggers(t, `http://127.0.0.1:${port}/webhooks/erp/tryton-test`, [
      { model: 'account.invoice', state: 'posted' }, { model: 'account.invoice', state: 'paid' },
    ]);
    c = makeConnector(t);
  });
  afterAll(async () => {
    await c?.close();
    sink?.close();
    await t.stop();
  });

  it('posts a signed notice when an invoice is posted and when it is paid; the connector reads it and reads the invoice back', async () => {
    const { ref } = await c.createDocument({ docKind: 'expense_reimbursement', externalKey: { namespace: 'approval:push', key: 'R-1:r1' }, autoApprove: true, payload: { amount: '75.25', party: EMPLOYEE } });
    expect(received).toEqual([]); // validated is no trigger's state
    const admin = adminClient(t);

    await postInvoice(admin, Number(ref.id));
    const posted = await until('the posted notice', () => received[0]);
    expect(posted.path).toBe('/webhooks/erp/tryton-test');
    expect(posted.headers['content-type']).toBe('application/json');
    const ts = String(posted.headers['x-erp-timestamp']);
    expect(ts).toMatch(/^\d{10}$/);
    const sig = String(posted.headers['x-erp-signature']);
    expect(timingSafeEqual(Buffer.from(sig), Buffer.from(expectedSignature(t.webhookSecret, ts, posted.body)))).toBe(true);
    expect(sig).not.toBe(expectedSignature('another-secret-of-some-length', ts, posted.body));
    const body = JSON.parse(posted.body) as { event_id: string };
    expect(body).toEqual({ event_id: posted.headers['x-erp-event-id'], model: 'account.invoice', records: [{ id: Number(ref.id), reference: 'approval:push:R-1:r1', state: 'posted' }] });

    const notice = c.parsePush(body);
    expect(notice).toEqual({ eventId: body.event_id, documents: [{ id: ref.id, externalKey: 'approval:push:R-1:r1', docKind: 'expense_reimbursement' }] });
    const doc = notice.documents[0] as { id: string; externalKey: string };
    const readBack: ErpDocRef = { ...ref, id: doc.id, externalKey: doc.externalKey };
    expect((await c.getStatus(readBack)).status).toBe('posted');

    await payInvoice(t, admin, Number(ref.id), '75.25', 'PUSH-BANK-1', `${t.fiscalYear}-06-21`);
    const paid = await until('the paid notice', () => received[1]);
    expect(paid.headers['x-erp-event-id']).not.toBe(posted.headers['x-erp-event-id']);
    expect(paid.headers['x-erp-signature']).toBe(expectedSignature(t.webhookSecret, String(paid.headers['x-erp-timestamp']), paid.body));
    const paidNotice = c.parsePush(JSON.parse(paid.body));
    expect(paidNotice.documents).toEqual([{ id: ref.id, externalKey: 'approval:push:R-1:r1', docKind: 'expense_reimbursement' }]);
    expect(await c.getStatus(ref)).toMatchObject({ status: 'paid', payment: { bankRef: 'PUSH-BANK-1' } });
    expect(received).toHaveLength(2); // each transition once
  });

  it("sends nothing for invoices that are not the assistant's, and a failing receiver does not fail Tryton's post", async () => {
    const admin = adminClient(t);
    const [mine] = await admin.create('account.invoice', [{
      type: 'in', party: t.ids.party_employee, invoice_address: t.ids.party_employee_address, account: t.ids.account_payable,
      journal: t.ids.journal_expense, reference: 'SUPPLIER-INV-7', invoice_date: { __class__: 'date', year: t.fiscalYear, month: 6, day: 2 },
      lines: [['create', [{ account: t.ids.account_expense, description: 'Typed by hand', quantity: 1, unit_price: { __class__: 'Decimal', decimal: '3.00' } }]]],
    }]);
    const before = received.length;
    await postInvoice(admin, mine as number);
    expect(received).toHaveLength(before);

    status = 500; // the service is down: Tryton logs it and carries on
    const { ref } = await c.createDocument({ docKind: 'expense_reimbursement', externalKey: { namespace: 'approval:push', key: 'R-2:r1' }, autoApprove: true, payload: { amount: '5.00', party: EMPLOYEE } });
    await postInvoice(admin, Number(ref.id));
    await until('the refused notice', () => received[before]);
    expect((await c.getStatus(ref)).status).toBe('posted');
    status = 200;
  });
});
