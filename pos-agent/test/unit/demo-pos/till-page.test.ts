import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { TILL_CSP, TILL_HTML } from '../../../src/demo-pos/till-page.js';

function inline(tag: 'script' | 'style'): string {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(TILL_HTML);
  if (match?.[1] === undefined) throw new Error(`no inline <${tag}> in the till page`);
  return match[1];
}

const hashOf = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('till page', () => {
  it('is one self-contained page: no external scripts, styles or images', () => {
    expect(TILL_HTML).not.toMatch(/<script[^>]+src=/);
    expect(TILL_HTML).not.toMatch(/<link[^>]+stylesheet/);
    expect(TILL_HTML).not.toMatch(/https?:\/\//);
  });

  it('allows exactly its own inline script and style through the CSP', () => {
    expect(TILL_CSP).toContain(`script-src ${hashOf(inline('script'))}`);
    expect(TILL_CSP).toContain(`style-src ${hashOf(inline('style'))}`);
    expect(TILL_CSP).toContain("default-src 'none'");
  });

  it('ships a script that parses and never writes HTML from data', () => {
    const script = inline('script');
    expect(() => new Function(script)).not.toThrow();
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(script).toContain('textContent');
  });

  it('calls the till API and offers the store, kiosk and scenario controls', () => {
    const script = inline('script');
    for (const path of ['/api/products', '/api/orders', '/api/scenarios']) expect(script).toContain(path);
    expect(TILL_HTML).toContain('id="store"');
    expect(TILL_HTML).toContain('id="kiosk"');
    expect(TILL_HTML).toContain('id="checkout"');
    expect(TILL_HTML).toContain('id="scenario-rows"');
    // Unpriced products show a dash instead of a price.
    expect(script).toContain("cents === null ? '\\u2014'");
  });
});
