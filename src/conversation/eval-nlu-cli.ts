import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadIntentCatalog } from '../config/intent-catalog.ts';
import { loadConfig } from '../config/env.ts';
import { createResolver, type ResolverMode } from './create-resolver.ts';
import { percentile, scoreCase, type EvalCase } from './eval-scoring.ts';

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
  if (mode !== undefined && !['offline', 'llm', 'hybrid'].includes(mode)) throw new Error(`unknown mode ${mode}`);
  return { file, mode };
}

async function main(): Promise<void> {
  const { file, mode: modeArg } = parseArgs(process.argv.slice(2));
  if (!file) {
    process.stderr.write('usage: eval:nlu <cases.jsonl> [--mode offline|llm|hybrid]\n');
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const mode = modeArg ?? config.nlu.mode;
  const catalog = loadIntentCatalog(config.intentsDir);
  const resolver = createResolver({ mode, catalog, openai: config.nlu.openai, logger: { warn: (obj, msg) => process.stderr.write(`warn: ${msg} ${JSON.stringify(obj)}\n`) } });
  const cases = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as EvalCase);
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

main().catch((e: unknown) => {
  process.stderr.write(`eval:nlu failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
