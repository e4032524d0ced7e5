import { afterEach, describe, expect, it } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPostmasterOf, stopOrphanedServer } from '../../src/database/embedded-postgres.js';

// Start-up used to SIGINT whatever process postmaster.pid named. These tests put real processes
// behind the file: a stranger, and a stand-in "postgres" for this folder.
const children: ChildProcess[] = [];
const folders: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function cluster(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stale-pid-'));
  folders.push(dir);
  const clusterDir = join(dir, 'pg');
  mkdirSync(clusterDir);
  return clusterDir;
}

/** A long-running node process, started under the name `argv0` with `args`, in `cwd`. */
function sleeper(binary: string, args: string[], cwd?: string): ChildProcess {
  const child = spawn(binary, ['-e', 'setTimeout(() => {}, 60000)', '--', ...args], { cwd, stdio: 'ignore' });
  children.push(child);
  return child;
}

const exited = (child: ChildProcess, ms: number) =>
  new Promise<boolean>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done(true);
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => (clearTimeout(timer), done(true)));
  });

describe('a postmaster.pid left behind', () => {
  it('naming a stranger (pid reused): the process is not signalled, the stale file is removed', async () => {
    const clusterDir = cluster();
    const stranger = sleeper(process.execPath, []);
    writeFileSync(join(clusterDir, 'postmaster.pid'), `${stranger.pid}\n${clusterDir}\n`);
    const lines: string[] = [];
    await stopOrphanedServer(clusterDir, (line) => lines.push(line));
    expect(await exited(stranger, 300)).toBe(false);
    expect(existsSync(join(clusterDir, 'postmaster.pid'))).toBe(false);
    expect(lines.join('\n')).toMatch(/not this cluster's PostgreSQL/);
  });

  it('naming a postgres of another data folder: not signalled either', async () => {
    const clusterDir = cluster();
    const otherDir = cluster();
    const bin = mkdtempSync(join(tmpdir(), 'stale-pid-bin-'));
    folders.push(bin);
    symlinkSync(process.execPath, join(bin, 'postgres'));
    const otherPostgres = sleeper(join(bin, 'postgres'), ['-D', otherDir], otherDir);
    await new Promise((r) => setTimeout(r, 200));
    expect(isPostmasterOf(otherPostgres.pid!, clusterDir)).toBe(false);
    writeFileSync(join(clusterDir, 'postmaster.pid'), `${otherPostgres.pid}\n`);
    await stopOrphanedServer(clusterDir, () => undefined);
    expect(await exited(otherPostgres, 300)).toBe(false);
  });

  it("naming this folder's orphaned postgres: it is stopped", async () => {
    const clusterDir = cluster();
    const bin = mkdtempSync(join(tmpdir(), 'stale-pid-bin-'));
    folders.push(bin);
    symlinkSync(process.execPath, join(bin, 'postgres'));
    const orphan = sleeper(join(bin, 'postgres'), ['-D', clusterDir], clusterDir);
    await new Promise((r) => setTimeout(r, 200));
    expect(isPostmasterOf(orphan.pid!, clusterDir)).toBe(true);
    writeFileSync(join(clusterDir, 'postmaster.pid'), `${orphan.pid}\n${clusterDir}\n`);
    await stopOrphanedServer(clusterDir, () => undefined);
    expect(await exited(orphan, 2000)).toBe(true);
  });
});
