import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.ts';

/** Reads every *.yaml / *.yml file of a folder, sorted by name. */
/** The YAML files of a config directory; `variable` names the setting that points there (for the error). */
export function listYamlFiles(dir: string, variable: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ConfigError(`${variable}: no directory "${dir}"`, { cause: e });
    throw e;
  }
  return names.filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
}

/** Parses one YAML file against a schema; the error names the file and the path inside it. */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') throw new ConfigError(`${file}: no such file`, { cause: e });
    throw e;
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e: unknown) {
    throw new ConfigError(`${file}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const parsed = schema.safeParse(doc);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${file}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new ConfigError(lines.join('\n'));
  }
  return parsed.data;
}
