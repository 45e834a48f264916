import type { z } from 'zod';

/**
 * A set of job kinds, each with the schema of its payload. The app's set is JOB_SCHEMAS (job-kinds.ts); a test of
 * the worker's mechanics registers its own kinds the same way, so the set a worker runs is always named.
 */
export type JobSchemas = Record<string, z.ZodType>;

/** One job of a set: its kind and the payload that kind takes (a union discriminated by `kind`). */
export type JobOf<S extends JobSchemas> = { [K in keyof S & string]: { kind: K; payload: z.output<S[K]> } }[keyof S & string];

/** A stored job's payload checked against its kind's schema; `error` says which fields are wrong and why. */
export type ParsedJob<S extends JobSchemas> = { ok: true; job: JobOf<S> } | { ok: false; reason: 'unknown_kind' | 'invalid_payload'; error: string };

export function parseJob<S extends JobSchemas>(schemas: S, kind: string, payload: unknown): ParsedJob<S> {
  const schema = Object.hasOwn(schemas, kind) ? schemas[kind] : undefined;
  if (!schema) return { ok: false, reason: 'unknown_kind', error: `no job kind "${kind}" is registered` };
  const r = schema.safeParse(payload);
  if (r.success) return { ok: true, job: { kind, payload: r.data } as JobOf<S> };
  const issues = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`);
  return { ok: false, reason: 'invalid_payload', error: `the payload of a ${kind} job does not match its schema (${issues.join('; ')})` };
}
