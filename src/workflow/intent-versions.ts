import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import { intentSchema, type IntentDefinition } from '../config/intent-schema.ts';

/**
 * Intent versions: each distinct definition of an intent is stored once with a version number.
 * A request pins the version it was created under, so editing a YAML never changes old requests.
 */
export class IntentVersions {
  private readonly current = new Map<string, number>();
  private readonly loaded = new Map<string, IntentDefinition>();

  constructor(private readonly db: Kysely<Database>, private readonly catalog: IntentCatalog) {}

  /** Records new definitions (boot). Safe to run from several replicas at once. */
  async sync(tenantId: string): Promise<void> {
    for (const e of this.catalog.entries) {
      const key = e.definition.key;
      await this.db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('intent_versions').select('version').where('tenant_id', '=', tenantId).where('key', '=', key)
          .where('content_hash', '=', e.contentHash).executeTakeFirst();
        if (existing) { this.current.set(key, existing.version); return; }
        const max = await trx.selectFrom('intent_versions').select((eb) => eb.fn.max('version').as('v')).where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst();
        const version = Number(max?.v ?? 0) + 1;
        await trx.insertInto('intent_versions').values({ tenant_id: tenantId, key, version, content_hash: e.contentHash, definition: JSON.stringify(e.definition) })
          .onConflict((oc) => oc.doNothing()).execute();
        this.current.set(key, version);
      });
      this.loaded.set(`${tenantId}:${key}:${this.current.get(key)}`, e.definition);
    }
  }

  versionOf(key: string): number {
    return this.current.get(key) ?? 1;
  }

  /** The definition a request was created under (falls back to the current one if it was never stored). */
  async definition(tenantId: string, key: string, version: number): Promise<IntentDefinition | undefined> {
    const k = `${tenantId}:${key}:${version}`;
    const hit = this.loaded.get(k);
    if (hit) return hit;
    const row = await this.db.selectFrom('intent_versions').select('definition').where('tenant_id', '=', tenantId).where('key', '=', key).where('version', '=', version).executeTakeFirst();
    const parsed = row ? intentSchema.safeParse(row.definition) : undefined;
    const def = parsed?.success ? parsed.data : this.catalog.get(key);
    if (def) this.loaded.set(k, def);
    return def;
  }
}
