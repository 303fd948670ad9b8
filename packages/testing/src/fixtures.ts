import { readFileSync } from 'node:fs';

/** The text of a file in packages/testing/fixtures (test keys and certificates). */
export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
}
