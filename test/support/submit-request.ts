import type { App } from '../../src/app/create-app.ts';
import type { RequestRecord } from '../../src/workflow/request-repo.ts';

/** Submits a request directly through the approval service (skipping the dialog), as `requester` on the console. */
export async function submitDirect(app: App, intentKey: string, requester: string, fields: Record<string, unknown>): Promise<RequestRecord> {
  const intent = app.catalog.get(intentKey);
  if (!intent) throw new Error(`no intent ${intentKey}`);
  return app.db.db.transaction().execute((trx) => app.approvals.submit(trx, {
    tenantId: 'default', intent, intentVersion: 1, requesterId: requester, fields,
    origin: { platform: 'console', botId: 'console', userExternalId: requester }, source: 'api',
  }));
}
