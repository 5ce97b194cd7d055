import { describe, expect, it } from '@jest/globals';
import { createOrderIdSource, describeIssues, orderRequestSchema, StoreInventory, triggerRequestSchema } from '../../../src/demo-pos/orders.js';
import { DEMO_PRODUCTS } from '../../../src/demo-pos/products.js';
import { seededRandom } from '../../../src/demo-pos/random.js';

const createdAt = new Date('2026-11-26T12:00:00.000Z');

function validationMessage(input: unknown): string {
  const parsed = orderRequestSchema.safeParse(input);
  if (parsed.success) throw new Error('expected the input to be rejected');
  return describeIssues(parsed.error).message;
}

describe('order request validation', () => {
  const good = { storeId: 'store-001', kioskId: 'kiosk-01', items: [{ productId: '101', quantity: 2 }] };

  it('accepts a well-formed order', () => {
    expect(orderRequestSchema.parse(good)).toEqual(good);
  });

  it('names each offending field in the message', () => {
    expect(validationMessage({ ...good, kioskId: undefined })).toBe('kioskId is required');
    expect(validationMessage({ ...good, storeId: 'store 1' })).toBe('storeId may only contain letters, digits, ".", "_" and "-"');
    expect(validationMessage({ ...good, storeId: 'x'.repeat(65) })).toBe('storeId must be at most 64 characters');
    expect(validationMessage({ ...good, items: [{ productId: '101', quantity: 0 }] })).toBe('items.0.quantity must be at least 1');
    expect(validationMessage({ ...good, items: [{ productId: '101', quantity: 100 }] })).toBe('items.0.quantity must be at most 99');
    expect(validationMessage({ ...good, items: [{ productId: '101', quantity: 1.5 }] })).toBe('items.0.quantity must be a whole number');
    expect(validationMessage({ ...good, items: [{ productId: '101', quantity: '2' }] })).toBe('items.0.quantity must be a number');
    expect(validationMessage({ ...good, items: [] })).toBe('items must contain at least one line');
    expect(validationMessage({ ...good, items: Array.from({ length: 51 }, () => ({ productId: '101', quantity: 1 })) })).toBe('items must contain at most 50 lines');
    expect(validationMessage([good])).toBe('(body) must be a JSON object');
  });

  it('reports several problems at once, each with its field', () => {
    const parsed = orderRequestSchema.safeParse({ storeId: '', items: 'lots' });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(describeIssues(parsed.error).issues).toEqual([
      { field: 'storeId', message: 'must not be empty' },
      { field: 'kioskId', message: 'is required' },
      { field: 'items', message: 'must be an array of order lines' },
    ]);
  });

  it('accepts an empty trigger body and bounds the trigger count to 1..1000', () => {
    expect(triggerRequestSchema.parse({})).toEqual({});
    expect(triggerRequestSchema.safeParse({ count: 1000 }).success).toBe(true);
    expect(triggerRequestSchema.safeParse({ count: 1001 }).success).toBe(false);
    expect(triggerRequestSchema.safeParse({ count: 0 }).success).toBe(false);
    expect(triggerRequestSchema.safeParse({ storeId: 'bad id' }).success).toBe(false);
  });
});

describe('StoreInventory', () => {
  it('prices an order, totals it and takes the units out of stock', () => {
    const inventory = new StoreInventory(DEMO_PRODUCTS);
    const outcome = inventory.place({ storeId: 's', kioskId: 'k', items: [{ productId: '101', quantity: 2 }, { productId: '105', quantity: 1 }] }, 'ORD-1', createdAt);
    expect(outcome).toEqual({
      ok: true,
      order: {
        id: 'ORD-1',
        storeId: 's',
        kioskId: 'k',
        items: [
          { productId: '101', name: 'Whole Milk 1 gal', quantity: 2, unitPriceCents: 429, lineTotalCents: 858 },
          { productId: '105', name: 'Ground Coffee 12 oz', quantity: 1, unitPriceCents: 1099, lineTotalCents: 1099 },
        ],
        totalCents: 1957,
        createdAt: '2026-11-26T12:00:00.000Z',
      },
    });
    const stock = new Map(inventory.list().map((p) => [p.id, p.stock]));
    expect(stock.get('101')).toBe(46);
    expect(stock.get('105')).toBe(24);
  });

  it('refuses product 999 with MISSING_PRICE and leaves stock untouched', () => {
    const inventory = new StoreInventory(DEMO_PRODUCTS);
    const before = inventory.list();
    const outcome = inventory.place({ storeId: 's', kioskId: 'k', items: [{ productId: '101', quantity: 1 }, { productId: '999', quantity: 1 }] }, 'ORD-2', createdAt);
    expect(outcome).toEqual({
      ok: false,
      failure: { code: 'MISSING_PRICE', message: 'Product 999 (Mystery Product) has no price', productId: '999', productName: 'Mystery Product', quantity: 1 },
    });
    expect(inventory.list()).toEqual(before);
  });

  it('refuses an unknown product with BARCODE_NOT_FOUND', () => {
    const outcome = new StoreInventory(DEMO_PRODUCTS).place({ storeId: 's', kioskId: 'k', items: [{ productId: '4242', quantity: 3 }] }, 'ORD-3', createdAt);
    expect(outcome.ok === false && outcome.failure).toMatchObject({ code: 'BARCODE_NOT_FOUND', productId: '4242', quantity: 3 });
  });

  it('adds up repeated lines of one product before checking stock', () => {
    const inventory = new StoreInventory(DEMO_PRODUCTS);
    const outcome = inventory.place({ storeId: 's', kioskId: 'k', items: [{ productId: '112', quantity: 7 }, { productId: '112', quantity: 6 }] }, 'ORD-4', createdAt);
    expect(outcome).toEqual({
      ok: false,
      failure: { code: 'INVENTORY_MISMATCH', message: 'Only 12 of product 112 (Sparkling Water, 12 pack) in stock; 13 requested', productId: '112', productName: 'Sparkling Water, 12 pack', quantity: 13, stockOnHand: 12 },
    });
  });

  it('reports the first failing line when several lines are bad', () => {
    const outcome = new StoreInventory(DEMO_PRODUCTS).place({ storeId: 's', kioskId: 'k', items: [{ productId: '999', quantity: 1 }, { productId: 'nope', quantity: 1 }] }, 'ORD-5', createdAt);
    expect(outcome.ok === false && outcome.failure.code).toBe('MISSING_PRICE');
  });

  it('sells out a product and then refuses further orders for it', () => {
    const inventory = new StoreInventory(DEMO_PRODUCTS);
    expect(inventory.place({ storeId: 's', kioskId: 'k', items: [{ productId: '112', quantity: 12 }] }, 'ORD-6', createdAt).ok).toBe(true);
    const outcome = inventory.place({ storeId: 's', kioskId: 'k', items: [{ productId: '112', quantity: 1 }] }, 'ORD-7', createdAt);
    expect(outcome.ok === false && outcome.failure).toMatchObject({ code: 'INVENTORY_MISMATCH', stockOnHand: 0 });
  });
});

describe('createOrderIdSource', () => {
  it('issues distinct ids in the ORD-YYYYMMDD-NNNNNN format dated by the clock', () => {
    const next = createOrderIdSource(() => createdAt, seededRandom(5));
    const ids = Array.from({ length: 1000 }, next);
    for (const id of ids) expect(id).toMatch(/^ORD-20261126-\d{6}$/);
    expect(new Set(ids).size).toBe(1000);
  });

  it('starts at different points for different runs', () => {
    const a = createOrderIdSource(() => createdAt, seededRandom(1))();
    const b = createOrderIdSource(() => createdAt, seededRandom(2))();
    expect(a).not.toBe(b);
  });
});
