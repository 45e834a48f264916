import { TrytonRpcClient } from '../../../src/erp/connectors/tryton/rpc-client.ts';
import type { TrytonServer } from './start-tryton.ts';

/**
 * Registers ir.trigger records that run the push module's action (erp-modules/tryton/approval_webhook) when a
 * model's `state` becomes a value, POSTing to `url`. What an administrator does once per installation; here as
 * Tryton's admin over JSON-RPC.
 *
 * ir.trigger (trytond/ir/trigger.py, Tryton 6.0): `model` is the ir.model id; `condition` a PYSON expression over
 * `self` (the record), JSON-encoded as PYSONEncoder writes it; with `on_write` the action runs for the records whose
 * condition turned from false to true in that write (each transition once); `limit_number` 0 = no limit.
 * PYSON: https://docs.tryton.org/projects/server/en/6.0/ref/pyson.html
 */
export interface StateTrigger { model: 'account.invoice' | 'purchase.purchase'; state: string }

/** `Eval('self', {}).get('state') == <state>` in PYSON's JSON form. */
export function stateBecomes(state: string): string {
  return JSON.stringify({
    __class__: 'Equal',
    s1: { __class__: 'Get', v: { __class__: 'Eval', v: 'self', d: {} }, k: 'state', d: '' },
    s2: state,
  });
}

export async function registerStateTriggers(tryton: TrytonServer, url: string, triggers: StateTrigger[]): Promise<number[]> {
  const admin = new TrytonRpcClient({ url: tryton.url, database: tryton.database, login: tryton.admin.login, password: tryton.admin.password });
  try {
    const models = await admin.searchRead<{ id: number; model: string }>('ir.model', [['model', 'in', [...new Set(triggers.map((t) => t.model))]]], ['id', 'model']);
    const modelId = (name: string) => {
      const found = models.find((m) => m.model === name);
      if (!found) throw new Error(`Tryton has no model ${name}`);
      return found.id;
    };
    return await admin.create('ir.trigger', triggers.map((t) => ({
      name: `${t.model} ${t.state} → approval webhook`, model: modelId(t.model), on_write: true, on_create: true,
      condition: stateBecomes(t.state), limit_number: 0, action: 'ir.trigger|approval_webhook', approval_webhook_url: url,
    })));
  } finally {
    await admin.logout();
  }
}
