import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (19 MiB, 2 passes): OWASP's baseline. */
export const hashPassword = (password: string) => hash(password);

/** A hash of a random string, verified against when the account does not exist, so timing does not tell. */
const DECOY = hash('decoy-password-that-no-one-has');

export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash ?? (await DECOY), password);
  } catch {
    return false;
  }
}
