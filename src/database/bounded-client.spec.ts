import { describe, expect, it } from '@jest/globals';
import { timeoutsAfter } from './bounded-client.js';

describe('BoundedClient: the statement timeout it waits for', () => {
  const base = { session: 15_000 };

  it('follows a longer limit a transaction sets, until the transaction ends', () => {
    // As the imports and the reminder job write it (src/devices/import, src/students/import, src/notifications).
    const long = timeoutsAfter(`SET LOCAL statement_timeout = '10min'`, base);
    expect(long).toEqual({ session: 15_000, transaction: 600_000 });
    expect(timeoutsAfter(`INSERT INTO devices SELECT * FROM staging`, long)).toBe(long);
    expect(timeoutsAfter('ROLLBACK TO SAVEPOINT typeorm_1', long)).toBe(long);
    expect(timeoutsAfter('RELEASE SAVEPOINT typeorm_1', long)).toBe(long);
    for (const end of ['COMMIT', 'ROLLBACK', 'commit;']) expect(timeoutsAfter(end, long)).toEqual(base);
  });

  it('reads the units PostgreSQL accepts, and a session-wide SET', () => {
    expect(timeoutsAfter(`SET LOCAL statement_timeout = '5min'`, base).transaction).toBe(300_000);
    expect(timeoutsAfter(`set local statement_timeout to 2500`, base).transaction).toBe(2500);
    expect(timeoutsAfter(`SET LOCAL statement_timeout = '30s'`, base).transaction).toBe(30_000);
    expect(timeoutsAfter(`SET statement_timeout = '1h'`, base)).toEqual({ session: 3_600_000 });
    expect(timeoutsAfter(`SET LOCAL statement_timeout = 0`, base).transaction).toBe(0);
  });

  it('ignores everything else', () => {
    expect(timeoutsAfter(`SET LOCAL lock_timeout = '2min'`, base)).toBe(base);
    expect(timeoutsAfter(`SELECT 'SET LOCAL statement_timeout = 1'`, base)).toBe(base);
  });
});
