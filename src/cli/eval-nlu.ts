import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadIntentCatalog } from '../config/intent-catalog.ts';
import { loadConfig } from '../config/env.ts';
import { ConfigError } from '../core/errors.ts';
import { createResolver, type ResolverMode } from '../conversation/create-resolver.ts';
import { percentile, scoreCase, type EvalCase } from '../conversation/eval-scoring.ts';

/**
 * `npm run --silent eval:nlu -- <cases.jsonl> [--mode offline|llm|hybrid]`
 * Mismatches go to stderr; the last stdout line is the JSON summary. Exits 0 whatever the score.
 */
function parseArgs(argv: string[]): { file: string; mode: ResolverMode | undefined } {
  let file = '';
  let mode: ResolverMode | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] ?? '';
    if (a === '--mode') mode = argv[++i] as ResolverMode;
    else if (a.startsWith('--mode=')) mode = a.slice(7) as ResolverMode;
    else file = a;
  }
  if (mode !== undefined && !['offline', 'llm', 'hybrid'].includes(mode)) throw new CliError(`unknown mode ${mode} (offline, llm or hybrid)`);
  return { file, mode };
}

async function main(): Promise<void> {
  const { file, mode: modeArg } = parseArgs(process.argv.slice(2));
  if (!file) {
    process.stderr.write('usage: eval:nlu <cases.jsonl> [--mode offline|llm|hybrid]\n');
    process.exitCode = 2;
    return;
  }
  if (!existsSync(file)) throw new CliError(`no such file: ${file} (one JSON case per line: {"id","text","now","expect":{"intent","slots"}})`);
  const config = loadConfig();
  const mode = modeArg ?? config.nlu.mode;
  if (mode !== 'offline' && !config.nlu.openai.apiKey) throw new CliError(`OPENAI_API_KEY: required for --mode ${mode}`);
  const catalog = loadIntentCatalog(config.intentsDir);
  const resolver = createResolver({ mode, catalog, openai: config.nlu.openai, logger: { warn: (obj, msg) => process.stderr.write(`warn: ${msg} ${JSON.stringify(obj)}\n`) } });
  const cases = readFileSync(file, 'utf8').split('\n').map((l, i) => [l, i + 1] as const).filter(([l]) => l.trim() !== '').map(([l, n]) => parseCase(l, file, n));
  const times: number[] = [];
  let intentOk = 0;
  let slotOk = 0;
  let slotTotal = 0;
  for (const c of cases) {
    const t0 = performance.now();
    const r = await resolver.resolve(c.text, { now: new Date(c.now), timeZone: config.timeZone, locale: /[\u4e00-\u9fff]/.test(c.text) ? 'zh' : 'en', dialog: null, catalog });
    times.push(performance.now() - t0);
    const s = scoreCase(c, r.commands, catalog);
    if (s.intentOk) intentOk += 1;
    slotOk += s.slotOk;
    slotTotal += s.slotTotal;
    if (s.misses.length) process.stderr.write(`${c.id} ${c.text}\n  ${s.misses.join('\n  ')}\n`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  process.stdout.write(`${JSON.stringify({
    cases: cases.length,
    intent_accuracy: round(cases.length ? intentOk / cases.length : 0),
    slot_accuracy: round(slotTotal ? slotOk / slotTotal : 1),
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
  })}\n`);
}

/** A mistake in how the command was called: one line, no stack. */
class CliError extends Error {}

function parseCase(line: string, file: string, n: number): EvalCase {
  let c: Partial<EvalCase>;
  try {
    c = JSON.parse(line) as Partial<EvalCase>;
  } catch {
    throw new CliError(`${file}:${n}: not JSON`);
  }
  if (typeof c.text !== 'string' || typeof c.now !== 'string' || Number.isNaN(Date.parse(c.now)) || typeof c.expect?.intent !== 'string') {
    throw new CliError(`${file}:${n}: a case needs "text", "now" (ISO time) and "expect": { "intent", "slots"? }`);
  }
  return { id: c.id ?? String(n), text: c.text, now: c.now, expect: c.expect };
}

main().catch((e: unknown) => {
  process.stderr.write(e instanceof CliError || e instanceof ConfigError ? `eval:nlu: ${e.message}\n` : `eval:nlu failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
