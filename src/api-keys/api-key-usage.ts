import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { runStatement, statement } from '../database/statements.js';

export const API_KEY_STAMP_USE = statement('api_key_stamp_use', `UPDATE api_keys SET last_used_at = now() WHERE id = $1`);

/** When a key was last used, for its owner to spot a forgotten or leaked one (ApiKeysModule exports it to authentication). */
@Injectable()
export class ApiKeyUsage {
  constructor(private readonly dataSource: DataSource) {}

  async record(keyId: string): Promise<void> {
    await runStatement(this.dataSource.manager, API_KEY_STAMP_USE, [keyId]);
  }
}
