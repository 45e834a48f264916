import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import type { Database } from '../db/database.ts';
import { SCOPES } from './permissions.ts';
import { createServiceToken, listServiceTokens, revokeServiceToken } from './service-tokens.ts';

export const TOKEN_USAGE = [
  'usage: npm run token -- create --name <name> --scopes <scope,scope> [--tenant <id>] [--days <n>]',
  '       npm run token -- list [--tenant <id>]',
  '       npm run token -- revoke --id <id>',
  `scopes: ${SCOPES.join(', ')}`,
].join('\n');

/**
 * What `npm run token` does, apart from opening the database: create (the token printed once, never stored),
 * list (never the token, only its id, name, scopes and dates) and revoke. Rotation: create, switch, revoke the old.
 */
export async function tokenCommand(db: Kysely<Database>, clock: Clock, argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const fail = (m: string) => ({ code: 2, out: [], err: [m, TOKEN_USAGE] });
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { tenant: { type: 'string', default: 'default' }, name: { type: 'string' }, scopes: { type: 'string' }, days: { type: 'string' }, id: { type: 'string' } },
    });
  } catch (e: unknown) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  const { values: v, positionals } = parsed;
  const verb = positionals[0];
  if (verb === 'create') {
    if (!v.name || !v.scopes) return fail('create needs --name and --scopes');
    const days = v.days === undefined ? null : Number(v.days);
    if (days !== null && !(Number.isInteger(days) && days > 0 && days <= 3650)) return fail('--days: a whole number of days, 1 to 3650');
    const expiresAt = days === null ? null : new Date(clock.now().getTime() + days * 86_400_000);
    try {
      const { id, token } = await createServiceToken(db, { tenantId: v.tenant!, name: v.name, scopes: v.scopes.split(',').map((s) => s.trim()), expiresAt }, clock);
      return { code: 0, out: [token], err: [`token ${id} "${v.name}" for tenant ${v.tenant}${expiresAt ? `, expires ${expiresAt.toISOString()}` : ''}: shown once, keep it secret`] };
    } catch (e: unknown) {
      if (e instanceof AppError) return fail(e.message);
      throw e;
    }
  }
  if (verb === 'list') {
    const rows = await listServiceTokens(db, v.tenant);
    const out = rows.map((t) => [t.id, t.tenantId, t.name, t.scopes.join(','), t.createdAt.toISOString(), t.expiresAt?.toISOString() ?? '-',
      t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'live', t.lastUsedAt?.toISOString() ?? 'never used'].join('\t'));
    return { code: 0, out: ['id\ttenant\tname\tscopes\tcreated\texpires\tstate\tlast used', ...out], err: [] };
  }
  if (verb === 'revoke') {
    if (!v.id) return fail('revoke needs --id (see list)');
    return (await revokeServiceToken(db, v.id, clock))
      ? { code: 0, out: [], err: [`token ${v.id} revoked`] }
      : { code: 1, out: [], err: [`no live token ${v.id}`] };
  }
  return fail(verb ? `unknown command "${verb}"` : 'a command is needed');
}
