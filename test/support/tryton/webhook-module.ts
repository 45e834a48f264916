import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The repository's Tryton module erp-modules/tryton/approval_webhook, made importable by Debian's trytond without
 * touching system folders: a `pylib` folder (put on PYTHONPATH) holds a copy of the module and a small
 * `*.dist-info` whose entry point registers it in the `trytond.modules` group. trytond 6.0 finds modules outside its
 * own folder through that group (trytond/modules/__init__.py: update_egg_modules, import_module; trytond/tools/misc.py:
 * file_open for tryton.cfg), importing `<dist location>/approval_webhook` as `trytond.modules.approval_webhook`.
 */
export const WEBHOOK_MODULE = 'approval_webhook';
export const WEBHOOK_MODULE_DIR = join(import.meta.dirname, '..', '..', '..', 'erp-modules', 'tryton', WEBHOOK_MODULE);

function moduleFiles(): string[] {
  return readdirSync(WEBHOOK_MODULE_DIR).filter((f) => /\.(py|cfg|xml)$/.test(f)).sort();
}

/** Feeds the module's files into a hash (the ready template is rebuilt when they change). */
export function hashWebhookModule(h: ReturnType<typeof createHash>): void {
  for (const f of moduleFiles()) {
    h.update(f);
    h.update(readFileSync(join(WEBHOOK_MODULE_DIR, f)));
  }
}

/** Writes `<pylib>/approval_webhook/…` and its entry point; returns the folder to put on PYTHONPATH. */
export function installWebhookModule(pylib: string): string {
  const target = join(pylib, WEBHOOK_MODULE);
  mkdirSync(target, { recursive: true });
  for (const f of moduleFiles()) copyFileSync(join(WEBHOOK_MODULE_DIR, f), join(target, f));
  const version = /version\s*=\s*(\S+)/.exec(readFileSync(join(WEBHOOK_MODULE_DIR, 'tryton.cfg'), 'utf8'))?.[1] ?? '6.0.0';
  const distInfo = join(pylib, `${WEBHOOK_MODULE}-${version}.dist-info`);
  mkdirSync(distInfo, { recursive: true });
  writeFileSync(join(distInfo, 'METADATA'), `Metadata-Version: 2.1\nName: ${WEBHOOK_MODULE}\nVersion: ${version}\n`);
  // module_name without a package: trytond looks for the module folder right in the distribution's location.
  writeFileSync(join(distInfo, 'entry_points.txt'), `[trytond.modules]\n${WEBHOOK_MODULE} = ${WEBHOOK_MODULE}\n`);
  return pylib;
}
