import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Which ERP person (employee or party) each directory person is, per ERP instance (erp_person_links). Links are
 * made by the master-data sync (by email, then code, then a name that only one active person has) or by an admin
 * (`manual`, never overwritten by a sync). An ERP-originated document's owner is found the same way.
 */
export interface ErpPerson { erpId: string; name: string; email?: string }

/** The directory person an ERP person is: their link, else the one active person with that email, else with that name. */
export async function userForErpPerson(db: Db, tenantId: string, connector: string, p: ErpPerson): Promise<string | null> {
  const link = await db.selectFrom('erp_person_links').select('user_id').where('connector', '=', connector).where('erp_id', '=', p.erpId)
    .where('tenant_id', '=', tenantId).executeTakeFirst();
  if (link) return link.user_id;
  if (p.email) {
    const byEmail = await db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('active', '=', true)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', p.email!.toLowerCase())).limit(2).execute();
    if (byEmail.length === 1) return byEmail[0]!.id;
  }
  const byName = await db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('active', '=', true)
    .where('name', '=', p.name.trim()).limit(2).execute();
  return byName.length === 1 ? byName[0]!.id : null;
}

/** The ERP person id linked to a directory person on one instance, or null. */
export async function erpPersonOf(db: Db, tenantId: string, connector: string, userId: string): Promise<string | null> {
  const r = await db.selectFrom('erp_person_links').select('erp_id').where('connector', '=', connector).where('user_id', '=', userId)
    .where('tenant_id', '=', tenantId).executeTakeFirst();
  return r?.erp_id ?? null;
}

/** Links a person (a sync's match never replaces a `manual` link). */
export async function linkPerson(db: Db, l: { tenantId: string; connector: string; userId: string; erpId: string; matchedBy: 'email' | 'code' | 'name' | 'manual' }, at: Date): Promise<void> {
  await db.insertInto('erp_person_links').values({ tenant_id: l.tenantId, connector: l.connector, user_id: l.userId, erp_id: l.erpId, matched_by: l.matchedBy, updated_at: at })
    .onConflict((oc) => oc.columns(['connector', 'user_id']).doUpdateSet({ erp_id: l.erpId, matched_by: l.matchedBy, updated_at: at })
      .where('erp_person_links.matched_by', l.matchedBy === 'manual' ? '<>' : 'not in', l.matchedBy === 'manual' ? '' : ['manual']))
    .execute();
}
