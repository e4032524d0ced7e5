import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ownershipViolations, readOwners, readSources, roleChecksOutsideAccess } from './ownership.js';

// docs/architecture.md is the one map of tables to owners; this test holds the code to it.
const root = new URL('../../', import.meta.url).pathname;
const owners = readOwners(readFileSync(`${root}docs/architecture.md`, 'utf8'));
const sources = readSources(root);

describe('one owner per table (docs/architecture.md)', () => {
  it('has an owner for every table the migrations create', () => {
    const created = new Set(
      readSources(root, 'migrations').flatMap((f) => [...f.text.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?([a-z_]+)/gi)].map((m) => m[1].toLowerCase())),
    );
    expect([...created].filter((table) => !owners.has(table)).sort()).toEqual([]);
  });

  it('finds no write of a table outside its owner, and no status set outside its state module', () => {
    expect(ownershipViolations(sources, owners)).toEqual([]);
  });

  it('catches a stray UPDATE devices added to another module, and an application status set by hand', () => {
    const stray = [
      ...sources,
      { path: 'src/loans/stray.ts', text: "await tx.query(`UPDATE devices SET status = 'on_loan' WHERE id = $1`, [id]);" },
      { path: 'src/devices/stray.ts', text: "await tx.query(`UPDATE applications SET status = 'fulfilled' WHERE id = $1`, [id]);" },
      { path: 'src/reports/stray.ts', text: 'await tx.update(Device, { id }, { notes });' },
      { path: 'src/loans/stray-close.ts', text: "loan.status = 'returned';\nawait tx.save(loan);" },
    ];
    expect(ownershipViolations(stray, owners).sort()).toEqual([
      'src/devices/stray.ts: UPDATE applications outside its owner src/programs/',
      'src/devices/stray.ts: sets applications.status outside src/programs/applications/application-state.ts',
      "src/loans/stray-close.ts: a loan's status assigned outside src/loans/loan-state.ts (loan.status =)",
      'src/loans/stray.ts: UPDATE devices outside its owner src/devices/',
      'src/loans/stray.ts: sets devices.status outside src/devices/device-state.ts',
      'src/reports/stray.ts: update(Device) writes devices outside its owner src/devices/',
    ]);
  });
});

describe('one access check (src/auth/access.ts)', () => {
  it('finds no role compared outside it', () => {
    expect(roleChecksOutsideAccess(sources)).toEqual([]);
  });

  it('catches a role test added to a service', () => {
    const stray = { path: 'src/loans/stray.ts', text: "if (actor.role !== 'program_admin') throw forbidden('x');" };
    expect(roleChecksOutsideAccess([...sources, stray])).toEqual(["src/loans/stray.ts: actor.role !== (decide in src/auth/access.ts)"]);
  });
});

describe('every statement named (docs/architecture.md, "Entities or SQL")', () => {
  // The platform's own SQL: migrations, roles and the pool (src/database/), COPY streams, and a
  // report snapshot's transaction control (BEGIN ... READ ONLY, COMMIT, ROLLBACK).
  const PLATFORM_SQL = ['src/database/', 'src/common/csv-import/copy.ts', 'src/reports/report-reader.ts'];
  const inline = (files: { path: string; text: string }[]) =>
    files.filter((f) => !PLATFORM_SQL.some((p) => f.path.startsWith(p)) && /\.query\(/.test(f.text)).map((f) => f.path);

  it('finds no SQL run inline outside the platform: services run named statements', () => {
    expect(inline(sources)).toEqual([]);
  });

  it('catches a statement written inline in a service', () => {
    expect(inline([...sources, { path: 'src/loans/stray.ts', text: 'await tx.query(`SELECT 1`);' }])).toEqual(['src/loans/stray.ts']);
  });
});
