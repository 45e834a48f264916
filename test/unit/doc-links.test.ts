import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The docs are self-contained: every relative link in a Markdown file of the repository points at a file or
 * folder that is in it, and nothing cites the sibling folder the project was written next to (it is not shipped).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Files git knows (tracked, plus new ones not ignored), that exist in the working tree. */
function repoFiles(pattern?: string): string[] {
  const args = ['ls-files', '--cached', '--others', '--exclude-standard', '-z', ...(pattern ? ['--', pattern] : [])];
  const out = execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return [...new Set(out.split('\0').filter((f) => f !== '' && !f.split('/').includes('node_modules')))]
    .filter((f) => existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
}

interface DocLink { line: number; target: string }

/** Blanks fenced code blocks and inline code spans, keeping line numbers, so examples are not read as links. */
function withoutCode(markdown: string): string[] {
  let fence: string | null = null;
  return markdown.split('\n').map((line) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (opener && opener[1]![0] === fence[0] && opener[1]!.length >= fence.length) fence = null;
      return '';
    }
    if (opener) { fence = opener[1]!; return ''; }
    return line.replace(/(`+)[\s\S]*?\1/g, '');
  });
}

/** Inline links and images `[text](target "title")` and reference definitions `[id]: target`. */
function extractLinks(markdown: string): DocLink[] {
  const links: DocLink[] = [];
  withoutCode(markdown).forEach((text, i) => {
    for (const m of text.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g)) {
      links.push({ line: i + 1, target: m[1]!.replace(/^<|>$/g, '') });
    }
    const def = /^\s{0,3}\[(?!\^)[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(text);
    if (def) links.push({ line: i + 1, target: def[1]!.replace(/^<|>$/g, '') });
  });
  return links;
}

/** A link this test checks: not a URL with a scheme (http:, mailto:…), not a pure `#anchor`. */
function isLocal(target: string): boolean {
  return target !== '' && !target.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');
}

/** Why a local link does not resolve from the Markdown file `from` (repo-relative), or null when it does. */
function brokenReason(root: string, from: string, target: string): string | null {
  const path = target.replace(/[?#].*$/, '');
  if (path === '') return null;
  let decoded: string;
  try { decoded = decodeURIComponent(path); } catch { return 'not a valid URL path'; }
  const abs = decoded.startsWith('/') ? join(root, decoded) : resolve(root, dirname(from), decoded);
  const rel = relative(root, abs);
  if (rel.startsWith('..') || rel.split(sep).includes('..')) return 'points outside the repository';
  if (!existsSync(abs)) return 'no such file or folder';
  return null;
}

function brokenLinks(root: string, files: string[]): string[] {
  return files.flatMap((f) => extractLinks(readFileSync(join(root, f), 'utf8'))
    .filter((l) => isLocal(l.target))
    .flatMap((l) => {
      const why = brokenReason(root, f, l.target);
      return why ? [`${f}:${l.line}: (${l.target}) ${why}`] : [];
    }));
}

describe('documentation links', () => {
  const markdown = repoFiles('*.md');

  it('finds the Markdown files and their links (the check below is not vacuous)', () => {
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/platform-setup.md']));
    const local = markdown.flatMap((f) => extractLinks(readFileSync(join(ROOT, f), 'utf8')).filter((l) => isLocal(l.target)));
    expect(local.length).toBeGreaterThan(5);
  });

  it('every relative link in a Markdown file resolves to a file or folder in the repository', () => {
    expect(brokenLinks(ROOT, markdown)).toEqual([]);
  });

  it('a section cited in code or docs (a docs path, then §2.5) is a numbered heading of that file', () => {
    const cites = repoFiles().filter((f) => /\.(ts|md)$/.test(f)).flatMap((f) => [
      ...readFileSync(join(ROOT, f), 'utf8').matchAll(/\b(docs\/[\w./-]+\.md) §(\d+(?:\.\d+)*)/g),
    ].map((m) => ({ from: f, doc: m[1]!, section: m[2]! })));
    expect(cites.length).toBeGreaterThan(10);
    const missing = cites.filter(({ doc, section }) => {
      if (!existsSync(join(ROOT, doc))) return true;
      const heading = new RegExp(`^#{1,6}\\s+${section.replace(/\./g, '\\.')}(\\.|\\s)`, 'm');
      return !heading.test(readFileSync(join(ROOT, doc), 'utf8'));
    }).map(({ from, doc, section }) => `${from}: ${doc} §${section}`);
    expect(missing).toEqual([]);
  });

  it('no file cites the sibling folder that is not shipped', () => {
    const needles = ['..' + '/shared/', '/work/' + 'shared'];
    const offenders = repoFiles().flatMap((f) => {
      const buf = readFileSync(join(ROOT, f));
      if (buf.includes(0)) return [];
      const text = buf.toString('utf8');
      return needles.filter((n) => text.includes(n)).map((n) => `${f}: mentions ${n}`);
    });
    expect(offenders).toEqual([]);
  });
});

describe('the link checker itself', () => {
  const doc = [
    'See [setup](docs/platform-setup.md#feishu) and [the site](https://example.com/x.md).',
    '![logo](<docs/no such image.png> "title") and [top](#intro) and [mail](mailto:a@b.c)',
    '`[not a link](nowhere.md)`',
    '```md',
    '[inside a fence](nowhere.md)',
    '```',
    '[ref]: docs/missing.md',
    '[escape](../../outside.md)',
  ].join('\n');

  it('reads inline links, images and reference definitions, but not code', () => {
    expect(extractLinks(doc)).toEqual([
      { line: 1, target: 'docs/platform-setup.md#feishu' },
      { line: 1, target: 'https://example.com/x.md' },
      { line: 2, target: 'docs/no such image.png' },
      { line: 2, target: '#intro' },
      { line: 2, target: 'mailto:a@b.c' },
      { line: 7, target: 'docs/missing.md' },
      { line: 8, target: '../../outside.md' },
    ]);
  });

  it('reports missing files and escapes, accepts existing files with anchors, skips URLs and anchors', () => {
    const reported = extractLinks(doc).filter((l) => isLocal(l.target)).map((l) => [l.target, brokenReason(ROOT, 'README.md', l.target)]);
    expect(reported).toEqual([
      ['docs/platform-setup.md#feishu', null],
      ['docs/no such image.png', 'no such file or folder'],
      ['docs/missing.md', 'no such file or folder'],
      ['../../outside.md', 'points outside the repository'],
    ]);
    expect(brokenReason(ROOT, 'src/platforms/feishu/README.md', '../../../docs/platform-setup.md')).toBeNull();
    expect(brokenReason(ROOT, 'docs/DESIGN.md', '/README.md')).toBeNull();
  });
});
