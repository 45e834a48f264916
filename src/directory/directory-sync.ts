import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { NotFoundError } from '../core/errors.ts';
import type { Database } from '../db/database.ts';
import type { DirectoryDepartment, DirectorySource, DirectoryUser } from './directory-source.ts';
import { Periodic } from '../scheduler/periodic.ts';

/**
 * Copies a bot's platform directory (users, departments, managers, department leaders) into the local
 * directory. Upserts only: nothing is deleted or deactivated, roles are never touched (they come from the
 * directory YAML or the admin), and a manager / department the platform does not report is left as it was.
 */
export interface SyncBot { id: string; platform: 'feishu' | 'dingtalk'; tenant: string }
export interface SyncResult { botId: string; tenantId: string; users: number; departments: number; created: number; identities: number }

/** Local id of a platform department (departments have no identity table; the platform prefix keeps them apart). */
export const departmentIdOf = (platform: string, externalId: string): string => `${platform}:${externalId}`;
/** Local id of a user first seen on a platform, matched neither by identity nor by email. */
export const newUserIdOf = (platform: string, externalId: string): string => `${platform}:${externalId}`;

type Trx = Transaction<Database>;

/**
 * external id (primary and aliases) → local user id: the identity linked on this bot, else one linked on
 * another bot of the platform, else the same email, else a new user.
 */
async function resolveUsers(trx: Trx, bot: SyncBot, users: DirectoryUser[]): Promise<{ localOf: Map<string, string>; existing: Set<string> }> {
  const identityRows = await trx.selectFrom('user_identities').select(['external_id', 'user_id', 'bot_id'])
    .where('platform', '=', bot.platform).where('tenant_id', '=', bot.tenant).execute();
  const linked = new Map(identityRows.filter((r) => r.bot_id === bot.id).map((r) => [r.external_id, r.user_id]));
  // Another app of the same platform and tenant: Feishu's union_id and DingTalk's userId are the same person
  // across apps (open_ids are not), so a person reached by two bots stays one user.
  const elsewhere = new Map(identityRows.filter((r) => r.bot_id !== bot.id).map((r) => [r.external_id, r.user_id]));
  const userRows = await trx.selectFrom('users').select(['id', 'email']).where('tenant_id', '=', bot.tenant).execute();
  const byEmail = new Map(userRows.filter((r) => r.email).map((r) => [(r.email as string).toLowerCase(), r.id]));
  const localOf = new Map<string, string>();
  for (const u of users) {
    const ids = [u.externalId, ...u.aliases];
    const id = ids.map((x) => linked.get(x)).find((x) => x !== undefined)
      ?? ids.map((x) => elsewhere.get(x)).find((x) => x !== undefined)
      ?? (u.email ? byEmail.get(u.email.toLowerCase()) : undefined)
      ?? newUserIdOf(bot.platform, u.externalId);
    for (const x of ids) localOf.set(x, id);
  }
  for (const [ext, id] of linked) if (!localOf.has(ext)) localOf.set(ext, id);
  return { localOf, existing: new Set(userRows.map((r) => r.id)) };
}

async function upsertDepartments(trx: Trx, bot: SyncBot, departments: DirectoryDepartment[], localOf: Map<string, string>): Promise<void> {
  for (const d of departments) {
    const row = {
      name: d.name,
      parent_id: d.parentExternalId ? departmentIdOf(bot.platform, d.parentExternalId) : null,
      leader_ids: [...new Set(d.leaderExternalIds.map((x) => localOf.get(x)).filter((x): x is string => x !== undefined))],
    };
    await trx.insertInto('departments').values({ tenant_id: bot.tenant, id: departmentIdOf(bot.platform, d.externalId), ...row })
      .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet({ ...row, updated_at: sql`now()` })).execute();
  }
}

async function upsertUser(trx: Trx, bot: SyncBot, u: DirectoryUser, id: string, localOf: Map<string, string>, known: Set<string>): Promise<number> {
  const manager = u.managerExternalId ? localOf.get(u.managerExternalId) : undefined;
  const dept = u.departmentExternalIds[0];
  const update = {
    name: u.name,
    ...(u.email ? { email: u.email } : {}),
    ...(dept ? { department_id: departmentIdOf(bot.platform, dept) } : {}),
    ...(manager && manager !== id ? { manager_id: manager } : {}),
  };
  await trx.insertInto('users').values({ tenant_id: bot.tenant, id, email: null, department_id: null, manager_id: null, roles: ['employee'], ...update })
    .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet({ ...update, updated_at: sql`now()` })).execute();
  let identities = 0;
  for (const [i, ext] of [u.externalId, ...u.aliases].entries()) {
    // Cards go to a user's identity with the latest last_seen_at, then the oldest created_at. Aliases (union_id,
    // user_id) are for matching inbound ids only, so they are dated after the primary id and never win that tie.
    const created = i === 0 ? sql<Date>`now()` : sql<Date>`now() + interval '1 second'`;
    await trx.insertInto('user_identities').values({ tenant_id: bot.tenant, user_id: id, platform: bot.platform, bot_id: bot.id, external_id: ext, created_at: created })
      .onConflict((oc) => oc.columns(['platform', 'bot_id', 'external_id']).doUpdateSet({ tenant_id: bot.tenant, user_id: id })).execute();
    identities += 1;
  }
  known.add(id);
  return identities;
}

/** One sync of one bot: read the platform first (no transaction open while calling out), then upsert in one transaction. */
export async function syncDirectory(db: Kysely<Database>, bot: SyncBot, source: DirectorySource): Promise<SyncResult> {
  const departments = await source.listDepartments();
  const users = await source.listUsers();
  return db.transaction().execute(async (trx) => {
    // Two replicas syncing the same bot at once would only repeat the same upserts; the lock keeps them in turn.
    await sql`select pg_advisory_xact_lock(hashtext(${`directory-sync:${bot.platform}:${bot.id}`}))`.execute(trx);
    const { localOf, existing } = await resolveUsers(trx, bot, users);
    const before = existing.size;
    let identities = 0;
    for (const u of users) identities += await upsertUser(trx, bot, u, localOf.get(u.externalId) as string, localOf, existing);
    await upsertDepartments(trx, bot, departments, localOf);
    return { botId: bot.id, tenantId: bot.tenant, users: users.length, departments: departments.length, created: existing.size - before, identities };
  });
}

export interface DirectorySyncDeps {
  db: Kysely<Database>;
  logger: Logger;
  bots: { bot: SyncBot; source: DirectorySource; minutes: number }[];
  /** Called after a successful sync (DirectoryViews.invalidate). */
  onSynced: (tenantId: string) => void;
}

/** Runs `syncDirectory` per bot every `directory_sync_minutes` (0 = off) and on demand (admin API). */
export class DirectorySync {
  private readonly timers: Periodic[] = [];
  private readonly running = new Map<string, Promise<SyncResult>>();

  constructor(private readonly d: DirectorySyncDeps) {}

  get botIds(): string[] {
    return this.d.bots.map((b) => b.bot.id);
  }

  /** Syncs one bot (or every bot); a sync already running for a bot is joined, not repeated. */
  async run(botId?: string): Promise<SyncResult[]> {
    const targets = botId === undefined ? this.d.bots : this.d.bots.filter((b) => b.bot.id === botId);
    if (botId !== undefined && targets.length === 0) throw new NotFoundError('directory.unknown_bot', `no Feishu/DingTalk bot "${botId}" runs here`);
    const out: SyncResult[] = [];
    for (const t of targets) out.push(await this.runOne(t));
    return out;
  }

  private runOne(t: DirectorySyncDeps['bots'][number]): Promise<SyncResult> {
    const inFlight = this.running.get(t.bot.id);
    if (inFlight) return inFlight;
    const p = syncDirectory(this.d.db, t.bot, t.source).then((r) => {
      this.d.onSynced(r.tenantId);
      this.d.logger.info({ ...r }, 'directory synced');
      return r;
    }).finally(() => this.running.delete(t.bot.id));
    this.running.set(t.bot.id, p);
    return p;
  }

  /** Starts the schedules; the first sync runs in the background so an unreachable platform never blocks boot. */
  start(): void {
    for (const t of this.d.bots) {
      if (t.minutes <= 0) continue;
      const task = async (): Promise<void> => { await this.runOne(t); };
      const p = new Periodic(`directory-sync:${t.bot.id}`, t.minutes * 60_000, task, this.d.logger);
      this.timers.push(p);
      p.start();
      void p.runNow();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.timers.splice(0).map((p) => p.stop()));
    await Promise.allSettled([...this.running.values()]);
  }
}
