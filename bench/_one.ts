import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { benchApprovals } from './approval-bench.ts';
const session = new Session();
const PROFILE = !process.argv.includes("--no-profile");
session.connect();
console.log(JSON.stringify(await benchApprovals('postgres://postgres@127.0.0.1:5432/postgres', {
  beforeClicks: async () => { if (!PROFILE) return; await session.post('Profiler.enable'); await session.post('Profiler.start'); },
  afterClicks: async () => { if (!PROFILE) return; const { profile } = await session.post('Profiler.stop'); writeFileSync('/tmp/prof/clicks.cpuprofile', JSON.stringify(profile)); },
})));
process.exit(0);
