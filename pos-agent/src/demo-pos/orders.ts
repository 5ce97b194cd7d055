// Order validation and pricing for the demo till. Pure apart from the stock counts a Store instance owns,
// so the HTTP layer only translates outcomes into responses and log records.

import { z } from 'zod';
import type { Product } from './products.js';

// `*` not `+`: an empty id is reported once, by min(1), rather than also as bad characters.
const ID_PATTERN = /^[A-Za-z0-9._-]*$/;

// "is required" reads better than "must be a string" when the field is simply missing.
const typeError = (expected: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${expected}`);

export const idSchema = z
  .string({ error: typeError('a string') })
  .min(1, { error: 'must not be empty' })
  .max(64, { error: 'must be at most 64 characters' })
  .regex(ID_PATTERN, { error: 'may only contain letters, digits, ".", "_" and "-"' });

export const orderRequestSchema = z.object(
  {
    storeId: idSchema,
    kioskId: idSchema,
    items: z
      .array(
        z.object(
          {
            productId: idSchema,
            quantity: z
              .number({ error: typeError('a number') })
              .int({ error: 'must be a whole number' })
              .min(1, { error: 'must be at least 1' })
              .max(99, { error: 'must be at most 99' }),
          },
          { error: typeError('an object with productId and quantity') },
        ),
        { error: typeError('an array of order lines') },
      )
      .min(1, { error: 'must contain at least one line' })
      .max(50, { error: 'must contain at most 50 lines' }),
  },
  { error: 'must be a JSON object' },
);

export type OrderRequest = z.infer<typeof orderRequestSchema>;

export const triggerRequestSchema = z.object(
  {
    storeId: idSchema.optional(),
    kioskId: idSchema.optional(),
    count: z
      .number({ error: typeError('a number') })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be at least 1' })
      .max(1000, { error: 'must be at most 1000' })
      .optional(),
  },
  { error: 'must be a JSON object' },
);

export type TriggerRequest = z.infer<typeof triggerRequestSchema>;

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** Zod issues as `field: problem` pairs a client can show next to the offending input. */
export function describeIssues(error: z.ZodError): { message: string; issues: FieldIssue[] } {
  const issues = error.issues.map((issue) => ({
    field: issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
  return { message: issues.map((issue) => `${issue.field} ${issue.message}`).join('; '), issues };
}

export interface OrderLine {
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly lineTotalCents: number;
}

export interface Order {
  readonly id: string;
  readonly storeId: string;
  readonly kioskId: string;
  readonly items: OrderLine[];
  readonly totalCents: number;
  readonly createdAt: string;
}

export type OrderFailureCode = 'MISSING_PRICE' | 'BARCODE_NOT_FOUND' | 'INVENTORY_MISMATCH';

export interface OrderFailure {
  readonly code: OrderFailureCode;
  readonly message: string;
  readonly productId: string;
  readonly productName?: string;
  readonly quantity: number;
  readonly stockOnHand?: number;
}

export type OrderOutcome = { readonly ok: true; readonly order: Order } | { readonly ok: false; readonly failure: OrderFailure };

/** The store's live item file: prices are fixed, stock goes down with every completed order. */
export class StoreInventory {
  private readonly products: Map<string, Product>;
  private readonly stock = new Map<string, number>();

  constructor(products: readonly Product[]) {
    this.products = new Map(products.map((product) => [product.id, product]));
    for (const product of products) this.stock.set(product.id, product.stock);
  }

  list(): Product[] {
    return [...this.products.values()].map((product) => ({ ...product, stock: this.stock.get(product.id) ?? 0 }));
  }

  /**
   * Prices and reserves an order atomically: either every line is sold and stock goes down, or nothing changes.
   * The first failing line decides the outcome, so one bad order produces exactly one failure.
   */
  place(request: OrderRequest, orderId: string, createdAt: Date): OrderOutcome {
    const requested = new Map<string, number>();
    for (const line of request.items) requested.set(line.productId, (requested.get(line.productId) ?? 0) + line.quantity);

    const lines: OrderLine[] = [];
    for (const line of request.items) {
      const product = this.products.get(line.productId);
      if (product === undefined) {
        return { ok: false, failure: { code: 'BARCODE_NOT_FOUND', message: `Product ${line.productId} was not found in the store item file`, productId: line.productId, quantity: line.quantity } };
      }
      if (product.priceCents === null) {
        return {
          ok: false,
          failure: { code: 'MISSING_PRICE', message: `Product ${product.id} (${product.name}) has no price`, productId: product.id, productName: product.name, quantity: line.quantity },
        };
      }
      const onHand = this.stock.get(product.id) ?? 0;
      const wanted = requested.get(product.id) ?? line.quantity;
      if (wanted > onHand) {
        return {
          ok: false,
          failure: {
            code: 'INVENTORY_MISMATCH',
            message: `Only ${onHand} of product ${product.id} (${product.name}) in stock; ${wanted} requested`,
            productId: product.id,
            productName: product.name,
            quantity: wanted,
            stockOnHand: onHand,
          },
        };
      }
      lines.push({ productId: product.id, name: product.name, quantity: line.quantity, unitPriceCents: product.priceCents, lineTotalCents: product.priceCents * line.quantity });
    }

    for (const [productId, quantity] of requested) this.stock.set(productId, (this.stock.get(productId) ?? 0) - quantity);
    const totalCents = lines.reduce((sum, line) => sum + line.lineTotalCents, 0);
    return { ok: true, order: { id: orderId, storeId: request.storeId, kioskId: request.kioskId, items: lines, totalCents, createdAt: createdAt.toISOString() } };
  }
}

/**
 * Order ids look like ORD-20261126-000123. The sequence starts at a random point so that a restarted till
 * appending to the same log does not reuse the ids of its previous run.
 */
export function createOrderIdSource(now: () => Date, rand: () => number): () => string {
  let sequence = 1 + Math.floor(rand() * 500_000);
  return () => {
    const date = now().toISOString().slice(0, 10).replaceAll('-', '');
    const id = `ORD-${date}-${String(sequence).padStart(6, '0')}`;
    sequence = sequence >= 999_999 ? 1 : sequence + 1;
    return id;
  };
}
