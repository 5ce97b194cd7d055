// Small helpers over an injected `rand: () => number` in [0, 1), so scenario output varies in production
// (Math.random) and is reproducible in tests (seeded generator).

export type Rand = () => number;

/** mulberry32: a tiny seeded PRNG, good enough for varied demo data. */
export function seededRandom(seed: number): Rand {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max], both inclusive. */
export function intBetween(rand: Rand, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

export function pick<T>(rand: Rand, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new RangeError('pick() needs a non-empty list');
  return item;
}

export function hex(rand: Rand, length: number, upper = true): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += Math.floor(rand() * 16).toString(16);
  return upper ? out.toUpperCase() : out;
}

export function digits(rand: Rand, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += String(Math.floor(rand() * 10));
  return out;
}

export function padded(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Cents as the plain decimal amount POS logs print, e.g. 1234 → `12.34`. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${padded(abs % 100, 2)}`;
}

/** Card number as it may appear in a log: masked, last four digits only. */
export function maskedPan(rand: Rand): string {
  return `****${digits(rand, 4)}`;
}

export function privateIp(rand: Rand): string {
  return `10.${intBetween(rand, 0, 40)}.${intBetween(rand, 0, 254)}.${intBetween(rand, 2, 254)}`;
}
