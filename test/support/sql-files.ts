import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sqlDir } from '../../src/db/sql-source.ts';

/** One version of one SQL function, as its file in src/db/sql/ holds it. */
export interface SqlFunctionFile {
  name: string;
  version: number;
  file: string;
  /** The whole file. */
  text: string;
  /** From `create or replace function` to the end: what a migration installs (the header comment aside). */
  statement: string;
  /** The argument list, whitespace collapsed (as pg_get_function_arguments prints it, for the types used here). */
  args: string;
  returns: string;
  language: string;
  /** The text between the $$ quotes: what PostgreSQL stores as prosrc. */
  body: string;
}

/** Splits a `create or replace function` statement into its parts; throws on any other shape. */
export function parseFunction(text: string): Omit<SqlFunctionFile, 'version' | 'file' | 'text'> {
  const start = text.indexOf('create or replace function ');
  const m = /^create or replace function (\w+)\(([^)]*)\)\s+returns (.+?)\s+language (\w+) as \$\$([\s\S]*)\$\$;\s*$/.exec(text.slice(start));
  if (start < 0 || !m) throw new Error('not one `create or replace function … language … as $$ … $$;` statement');
  const [, name = '', args = '', returns = '', language = '', body = ''] = m;
  return { name, statement: text.slice(start), args: args.replace(/\s+/g, ' ').trim(), returns: returns.replace(/\s+/g, ' '), language, body };
}

/** Every file in src/db/sql/, by name then version. */
export function sqlFunctionFiles(): SqlFunctionFile[] {
  return readdirSync(sqlDir()).filter((f) => f.endsWith('.sql')).map((file) => {
    const m = /^(\w+)\.v(\d+)\.sql$/.exec(file);
    if (!m) throw new Error(`${file}: SQL function files are named <function>.v<N>.sql`);
    const text = readFileSync(path.join(sqlDir(), file), 'utf8');
    const parts = parseFunction(text);
    if (parts.name !== m[1]) throw new Error(`${file} creates ${parts.name}()`);
    return { ...parts, version: Number(m[2]), file, text };
  }).sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version);
}

/** The newest version of each function: what a database migrated to the latest must hold. */
export function newestFunctionFiles(): Map<string, SqlFunctionFile> {
  const out = new Map<string, SqlFunctionFile>();
  for (const f of sqlFunctionFiles()) out.set(f.name, f);
  return out;
}
