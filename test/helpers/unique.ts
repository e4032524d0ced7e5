import { randomInt } from 'node:crypto';

let counter = 0;

/**
 * A digit string unique within a test process: time, a counter and a random part, each padded to
 * a fixed width. (Concatenating them unpadded was ambiguous, "1" + "23" = "12" + "3", and made a
 * fixture insert two devices with one asset tag once in CI.)
 */
export function unique(): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(Date.now() % 1e6, 6)}${pad(++counter, 6)}${pad(randomInt(1000), 3)}`;
}
