import { describe, expect, it } from 'vitest';
import { escapeHtml, scriptJson } from '../../../src/http/html-escape.ts';

describe('escapeHtml / scriptJson', () => {
  it('no character that opens markup or ends a quoted attribute survives', () => {
    const hostile = `<img src=x onerror="a('b')">\`&`;
    expect(escapeHtml(hostile)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&#96;&amp;');
    expect(escapeHtml(hostile)).not.toMatch(/[<>"'`]/);
  });

  it('a value in a script element cannot close it or open a comment, and reads back as itself', () => {
    const value = { name: '</script><script>alert(1)</script><!--', line: 'a\u2028b' };
    const js = scriptJson(value);
    expect(js).not.toMatch(/<|\u2028/);
    expect(JSON.parse(js)).toEqual(value);
  });
});
