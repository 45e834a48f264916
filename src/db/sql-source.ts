import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The SQL functions the migrations install, one file per version: src/db/sql/<name>.v<N>.sql holds the whole
 * `create or replace function` statement of that version. A migration loads the version it installs (its down
 * loads the one before); a landed version is never edited or patched: a change is a new file and a new migration.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
let dir: string | undefined;

/**
 * The folder of the .sql files: `sql/` next to this module (running the TypeScript, or a build that copies the
 * folder beside its output), else `src/db/sql` under the nearest enclosing folder that has it (a build compiled
 * or bundled into dist/ and run from the checkout).
 */
export function sqlDir(): string {
  if (dir) return dir;
  const candidates = [path.join(here, 'sql')];
  for (let d = here; ; d = path.dirname(d)) {
    candidates.push(path.join(d, 'src', 'db', 'sql'));
    if (path.dirname(d) === d) break;
  }
  dir = candidates.find((c) => existsSync(path.join(c, 'commit_request_change.v1.sql')));
  if (!dir) throw new Error(`SQL function files not found (looked in ${candidates.join(', ')}); ship src/db/sql with the build`);
  return dir;
}

const texts = new Map<string, string>();

/** The whole statement that installs version `version` of SQL function `name`. */
export function sqlFunction(name: string, version: number): string {
  const file = `${name}.v${version}.sql`;
  let text = texts.get(file);
  if (text === undefined) {
    text = readFileSync(path.join(sqlDir(), file), 'utf8');
    texts.set(file, text);
  }
  return text;
}
