import type { Kysely, KyselyPlugin, QueryId, RootOperationNode, UnknownRow, QueryResult } from 'kysely';

/** One statement a spied Kysely ran: its SQL, parameters and how many rows it changed. */
export interface SpiedQuery { sql: string; parameters: readonly unknown[]; affected: number | undefined }

/**
 * The same database with every statement recorded as compiled (tests explain them, or count a purge's DELETEs).
 * Statements run exactly as they would on `db`.
 */
export function spyOn<DB>(db: Kysely<DB>): { db: Kysely<DB>; queries: SpiedQuery[] } {
  const queries: SpiedQuery[] = [];
  const pending = new Map<QueryId, SpiedQuery>();
  const plugin: KyselyPlugin = {
    transformQuery: ({ node, queryId }): RootOperationNode => {
      const c = db.getExecutor().compileQuery(node, queryId);
      const q: SpiedQuery = { sql: c.sql, parameters: c.parameters, affected: undefined };
      pending.set(queryId, q);
      queries.push(q);
      return node;
    },
    transformResult: async ({ result, queryId }): Promise<QueryResult<UnknownRow>> => {
      const q = pending.get(queryId);
      pending.delete(queryId);
      if (q && result.numAffectedRows !== undefined) q.affected = Number(result.numAffectedRows);
      return result;
    },
  };
  return { db: db.withPlugin(plugin), queries };
}
