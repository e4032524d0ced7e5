import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A source file as the checks see it: its path from the repository root and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** The status columns only a state module may write (docs/architecture.md, "State changes"). */
export const STATE_WRITERS: Record<string, string> = {
  devices: 'src/devices/device-state.ts',
  applications: 'src/programs/applications/application-state.ts',
  charges: 'src/loans/charge-state.ts',
  loans: 'src/loans/loan-state.ts',
};

/** The "Tables and their owners" table of docs/architecture.md: table -> owner folder. */
export function readOwners(markdown: string): Map<string, string> {
  const section = markdown.slice(markdown.indexOf('## Tables and their owners'));
  const owners = new Map<string, string>();
  for (const [, table, owner] of section.matchAll(/^\| `([a-z_]+)` \| `([^`]+)`/gm)) owners.set(table, owner);
  return owners;
}

export function readSources(root: string, dir = 'src'): SourceFile[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return readSources(root, path);
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts') || path === 'src/metadata.ts') return [];
    return [{ path, text: readFileSync(join(root, path), 'utf8') }];
  });
}

const SQL_WRITE = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|COPY)\s+"?([a-z_]+)"?/gi;
const ENTITY = /@Entity\(\s*'([a-z_]+)'\s*\)[\s\S]*?export class (\w+)/g;
const ENTITY_WRITE = (name: string) => new RegExp(`\\.(save|insert|update|upsert|delete|remove|increment|decrement|create|merge)\\(\\s*${name}\\b`, 'g');

/** Every write of an owned table outside its owner, and every status set outside its state module. */
export function ownershipViolations(files: SourceFile[], owners: Map<string, string>): string[] {
  const found: string[] = [];
  const outside = (path: string, table: string) => !path.startsWith(owners.get(table)!);
  const entities = new Map<string, string>();
  for (const file of files) {
    for (const [, table, name] of file.text.matchAll(ENTITY)) {
      entities.set(name, table);
      if (owners.has(table) && outside(file.path, table)) found.push(`${file.path}: the entity of ${table} is declared outside ${owners.get(table)}`);
    }
  }
  for (const file of files) {
    for (const match of file.text.matchAll(SQL_WRITE)) {
      const table = match[2].toLowerCase();
      if (!owners.has(table)) continue;
      if (outside(file.path, table)) found.push(`${file.path}: ${match[1].toUpperCase()} ${table} outside its owner ${owners.get(table)}`);
      const statement = file.text.slice(match.index, match.index + 400).split(/\bWHERE\b/i)[0];
      const writer = STATE_WRITERS[table];
      if (writer && /^update/i.test(match[1]) && /\bstatus\s*=/.test(statement) && file.path !== writer) {
        found.push(`${file.path}: sets ${table}.status outside ${writer}`);
      }
    }
    for (const [name, table] of entities) {
      if (!owners.has(table)) continue;
      for (const match of file.text.matchAll(ENTITY_WRITE(name))) {
        if (outside(file.path, table)) found.push(`${file.path}: ${match[1]}(${name}) writes ${table} outside its owner ${owners.get(table)}`);
      }
    }
    // An entity's status assigned before a save: the same write by another road.
    for (const [table, variable] of [['devices', 'device'], ['applications', 'application'], ['charges', 'charge'], ['loans', 'loan']]) {
      const assigned = new RegExp(`\\b${variable}\\.status\\s*=(?!=)|Object\\.assign\\(${variable},\\s*\\{\\s*status:`, 'g');
      for (const match of file.text.matchAll(assigned)) {
        if (file.path !== STATE_WRITERS[table]) found.push(`${file.path}: a ${variable}'s status assigned outside ${STATE_WRITERS[table]} (${match[0].trim()})`);
      }
    }
  }
  return found;
}

/** Role decisions made outside src/auth/access.ts: a comparison of an actor's role anywhere else. */
export function roleChecksOutsideAccess(files: SourceFile[]): string[] {
  return files.flatMap((file) =>
    file.path === 'src/auth/access.ts'
      ? []
      : [...file.text.matchAll(/\bactor\??\.role\s*(?:===|!==|==|!=)|\.includes\(\s*actor\??\.role\b|switch\s*\(\s*actor\??\.role\b/g)].map(
          (m) => `${file.path}: ${m[0]} (decide in src/auth/access.ts)`,
        ),
  );
}
