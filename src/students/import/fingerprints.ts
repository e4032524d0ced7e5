import { createHmac, hash } from 'node:crypto';
import type { StudentRow } from './student-csv.js';
import type { Fingerprints } from './student-import-sql.js';

/**
 * What an import said about who a student is, as keyed fingerprints (64 bits of SHA-256 over a
 * secret key and the value) of the name, the birth date and the family card: equal data gives
 * equal fingerprints, so imports that disagree can be found, but without the key the data cannot
 * be recovered from them (a plain hash of a birth date would be reversed by trying the few
 * thousand possible dates).
 *
 * The key is derived from PSEUDONYM_SECRET; `id` names it, so fingerprints made under an older
 * secret are never compared with newer ones. The key is prefixed to the value rather than used in
 * an HMAC: a quarter of the cost per row, and the one weakness of a prefixed key (extending a
 * message to forge another's hash) buys nothing here, where only hiding the value matters.
 */
export class FingerprintKey {
  private readonly key: string;
  readonly id: number;
  /** Many students share a birth date: each date is fingerprinted once. */
  private readonly births = new Map<string, string>();

  constructor(secret: string) {
    const key = createHmac('sha256', secret).update('student-import-fingerprint').digest();
    this.key = key.toString('hex');
    this.id = createHmac('sha256', key).update('key-id').digest().readInt32BE(0);
  }

  of(row: StudentRow): Fingerprints {
    let birth = this.births.get(row.dateOfBirth);
    if (birth === undefined) {
      birth = this.fingerprint('birth', row.dateOfBirth);
      if (this.births.size < 50_000) this.births.set(row.dateOfBirth, birth);
    }
    return {
      name: this.fingerprint('name', nameKey(row.fullName)),
      birth,
      // 0 stands for "no card given" in the table's key.
      card: row.familyCardNumber === null ? '0' : this.fingerprint('card', row.familyCardNumber),
    };
  }

  /** The first 64 bits of the digest, as the signed bigint the table stores. */
  private fingerprint(kind: string, value: string): string {
    return BigInt.asIntN(64, BigInt(`0x${hash('sha256', `${this.key}:${kind}:${value}`).slice(0, 16)}`)).toString();
  }
}

/** Names compared as people would: case, punctuation and spacing do not matter ("M. Rizky" = "m rizky"). */
export const nameKey = (name: string) =>
  name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
