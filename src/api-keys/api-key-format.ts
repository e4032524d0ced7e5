import { randomBytes } from 'node:crypto';

/**
 * An API key reads `llk_<prefix>_<secret>`: the prefix finds the row, the secret is checked
 * against its stored SHA-256. Only the prefix is ever shown again after creation.
 */
export function newApiKey(): { prefix: string; secret: string; key: string } {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { prefix, secret, key: `llk_${prefix}_${secret}` };
}

export function parseApiKey(raw: string): { prefix: string; secret: string } | null {
  const match = /^llk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(raw.trim());
  return match ? { prefix: match[1], secret: match[2] } : null;
}
