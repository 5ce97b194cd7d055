import { describe, expect, it } from '@jest/globals';
import { MIN_SIMILARITY, similarIncidents, templateTokens } from '../../../src/domain/analysis/similarity.js';
import { incident, past } from './fixtures.js';

describe('templateTokens', () => {
  it('keeps the describing words and drops placeholders, stop words and bare numbers', () => {
    expect([...templateTokens('Product <int> has no price in the active price book; order <id> rejected 42')]).toEqual([
      'product',
      'price',
      'active',
      'book',
      'order',
      'rejected',
    ]);
  });
});

describe('similarIncidents', () => {
  const current = incident({
    id: 'cur',
    code: 'PRICE_NOT_FOUND',
    template: 'Price lookup failed for SKU <int> in price book <id>: no active price for effective date <ts>',
  });

  it('finds the incident whose template differs only in placeholders, with full similarity', () => {
    const [match] = similarIncidents(current, [
      past('p1', 'PRICE_NOT_FOUND', 'Price lookup failed for SKU <id> in price book <id>: no active price for effective date <ts>'),
    ]);
    expect(match).toEqual({ id: 'p1', code: 'PRICE_NOT_FOUND', title: 'Price Lookup Failure', similarity: 1, status: 'open' });
  });

  it('ranks by word overlap, adds a bonus for the same code, and drops unrelated incidents', () => {
    const results = similarIncidents(current, [
      past('unrelated', 'PRINTER_JAM', 'Receipt printer TM-T88VI at <id> reported paper jam (status <hex>)'),
      past('same-words', 'MISSING_PRICE', 'Price lookup failed for SKU <int> in price book <id>: no active price'),
      past('same-code', 'PRICE_NOT_FOUND', 'PriceNotFoundException: no active price for sku=<int>'),
    ]);
    expect(results.map((r) => r.id)).toEqual(['same-words', 'same-code']);
    expect(results.every((r) => r.similarity >= MIN_SIMILARITY && r.similarity <= 1)).toBe(true);
    expect(results[0]?.similarity).toBeGreaterThan(results[1]?.similarity ?? 1);
  });

  it('excludes the incident itself and returns nothing when there is no history', () => {
    expect(similarIncidents(current, [past('cur', 'PRICE_NOT_FOUND', current.template)])).toEqual([]);
    expect(similarIncidents(current, [])).toEqual([]);
  });

  it('gives no code bonus for the catch-all code, so unrelated unclassified errors do not match', () => {
    const unclassified = incident({ id: 'u1', code: 'UNCLASSIFIED_ERROR', template: 'Widget frobnication failed' });
    expect(similarIncidents(unclassified, [past('u2', 'UNCLASSIFIED_ERROR', 'Cache warmup skipped for tenant <id>')])).toEqual([]);
  });

  it('prefers resolved incidents on equal similarity and honours the limit', () => {
    const template = 'Price lookup failed for SKU <int> in price book <id>: no active price for effective date <ts>';
    const history = ['b', 'a', 'c', 'd'].map((id) => past(id, 'PRICE_NOT_FOUND', template, id === 'c' ? 'resolved' : 'open'));
    expect(similarIncidents(current, history, 3).map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(similarIncidents(current, history, 1).map((r) => r.id)).toEqual(['c']);
  });

  it('skips malformed history entries instead of failing', () => {
    const history = [null, { id: 7 }, { id: 'x', code: 'PRICE_NOT_FOUND' }, past('ok', 'PRICE_NOT_FOUND', current.template)] as unknown as Parameters<
      typeof similarIncidents
    >[1];
    expect(similarIncidents(current, history).map((r) => r.id)).toEqual(['ok']);
  });
});
