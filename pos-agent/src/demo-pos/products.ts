// The demo store's item file. Product 999 deliberately has no price: ordering it is the canonical demo failure.

export interface Product {
  readonly id: string;
  readonly name: string;
  /** null when the item file has no active price for the product. */
  readonly priceCents: number | null;
  readonly stock: number;
}

export const DEMO_PRODUCTS: readonly Product[] = [
  { id: '101', name: 'Whole Milk 1 gal', priceCents: 429, stock: 48 },
  { id: '102', name: 'Sourdough Loaf', priceCents: 549, stock: 30 },
  { id: '103', name: 'Free-Range Eggs, dozen', priceCents: 499, stock: 60 },
  { id: '104', name: 'Bananas, per lb', priceCents: 69, stock: 200 },
  { id: '105', name: 'Ground Coffee 12 oz', priceCents: 1099, stock: 25 },
  { id: '106', name: 'Sharp Cheddar 8 oz', priceCents: 389, stock: 40 },
  { id: '107', name: 'Orange Juice 52 oz', priceCents: 479, stock: 36 },
  { id: '108', name: 'Marinara Sauce 24 oz', priceCents: 329, stock: 45 },
  { id: '109', name: 'Spaghetti 1 lb', priceCents: 179, stock: 80 },
  { id: '110', name: 'Paper Towels, 6 rolls', priceCents: 1249, stock: 20 },
  { id: '111', name: 'AA Batteries, 8 pack', priceCents: 899, stock: 15 },
  { id: '112', name: 'Sparkling Water, 12 pack', priceCents: 599, stock: 12 },
  { id: '999', name: 'Mystery Product', priceCents: null, stock: 5 },
];
