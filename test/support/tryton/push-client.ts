import { createHmac, randomUUID } from 'node:crypto';

/**
 * Pushes as an ERP (or someone pretending to be one) sends them to the service's listener: the scheme of
 * src/erp/erp-push.ts, computed here on its own (node:crypto) so the test does not check the service with itself:
 *   X-Erp-Event-Id: <id>   X-Erp-Timestamp: <unix seconds>   X-Erp-Signature: sha256=<hex HMAC-SHA256(secret, "<ts>.<body>")>
 * The body is Tryton's push module's (erp-modules/tryton/approval_webhook/ir.py).
 */
export interface PushAttempt { eventId?: string; secret: string; timestamp?: number; records: { id: number; reference: string; state: string }[] }

export interface PushAnswer { status: number; code: string | undefined; request: { headers: Record<string, string>; body: string } }

export function trytonPushBody(eventId: string, records: PushAttempt['records']): string {
  return JSON.stringify({ event_id: eventId, model: 'account.invoice', records });
}

export function signed(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** POSTs a push in Tryton's format; `timestamp` defaults to now (unix seconds), `eventId` to a new uuid. */
export async function sendPush(url: string, a: PushAttempt): Promise<PushAnswer> {
  const eventId = a.eventId ?? randomUUID();
  const timestamp = a.timestamp ?? Math.floor(Date.now() / 1000);
  const body = trytonPushBody(eventId, a.records);
  const headers = {
    'content-type': 'application/json', 'x-erp-event-id': eventId, 'x-erp-timestamp': String(timestamp), 'x-erp-signature': signed(a.secret, timestamp, body),
  };
  return resend(url, { headers, body });
}

/** Sends exactly the same request again (a replay). */
export async function resend(url: string, request: PushAnswer['request']): Promise<PushAnswer> {
  const res = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const json = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: res.status, code: json.error?.code, request };
}
