import { readFileSync } from 'node:fs';

/** One realistic record from functions/test/fixtures/records, without the file's final newline. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/records/${name}`, import.meta.url), 'utf8').replace(/\n$/, '');
}
