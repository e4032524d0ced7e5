import type { DataSource } from 'typeorm';

/** When a key was last used, for its owner to spot a forgotten or leaked one (written by authentication). */
export async function recordApiKeyUse(dataSource: DataSource, keyId: string): Promise<void> {
  await dataSource.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [keyId]);
}
