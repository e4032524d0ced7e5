import type { SourceFile } from './ownership.js';

/**
 * The Nest modules as the sources declare them, and the imports between their files, so a test can
 * hold the modules to what the code really uses (docs/architecture.md, "Modules and what they
 * export"). Regular expressions over the text: the sources follow one layout, and a self-test
 * proves each rule catches what it is for.
 */

/** Modules every other module may use without importing them: cross-cutting, and why. */
export const GLOBAL_MODULES: Record<string, string> = {
  ConfigModule: 'the validated configuration',
  DatabaseModule: 'transactions and the read replica',
  ClockModule: 'the clock',
  AuditModule: 'every change records an audit event',
  PrivacyModule: 'every read of personal data is noted in the student-access log',
};

export interface NestModule {
  name: string;
  /** The folder the module's files are in (its own file's folder). */
  folder: string;
  global: boolean;
  /** Modules of this project it imports (framework modules left out). */
  imports: string[];
  exports: string[];
}

/** The names in `key: [ ... ]` of a @Module({...}) (brackets balanced; nested calls skipped over). */
function listIn(text: string, key: string): string[] {
  const start = text.search(new RegExp(`\\b${key}:\\s*\\[`));
  if (start < 0) return [];
  let depth = 0;
  let end = text.indexOf('[', start);
  for (let i = end; i < text.length; i++) {
    if (text[i] === '[' || text[i] === '(' || text[i] === '{') depth++;
    if (text[i] === ']' || text[i] === ')' || text[i] === '}') depth--;
    if (depth === 0) {
      end = i;
      break;
    }
  }
  const inside = text.slice(text.indexOf('[', start) + 1, end);
  // Top-level names only: `JwtModule.registerAsync({ ... })` yields JwtModule.
  return [...inside.replace(/\([^]*?\)(?=\s*[,\]]|\s*$)/g, '').matchAll(/(?:^|,)\s*([A-Z]\w*)/g)].map((m) => m[1]);
}

export function readModules(files: SourceFile[]): NestModule[] {
  const modules = files
    .filter((f) => f.path.endsWith('.module.ts') || /@Module\(/.test(f.text))
    .flatMap((f) =>
      [...f.text.matchAll(/(@Global\(\)\s*)?@Module\(([^]*?)\)\s*export class (\w+)/g)].map((m) => ({
        name: m[3],
        folder: f.path.slice(0, f.path.lastIndexOf('/') + 1),
        global: Boolean(m[1]),
        imports: listIn(m[2], 'imports'),
        exports: listIn(m[2], 'exports'),
      })),
    );
  const ours = new Set(modules.map((m) => m.name));
  return modules.map((m) => ({ ...m, imports: m.imports.filter((name) => ours.has(name)) }));
}

/**
 * The platform every feature builds on (errors, validation, transactions, statements, the clock,
 * configuration, messages): not a feature, so not held to these rules.
 */
export const PLATFORM = ['src/common/', 'src/database/', 'src/config/', 'src/i18n/'];

/** The feature module a file belongs to: the one whose folder holds it most closely. */
export function moduleOf(path: string, modules: NestModule[]): NestModule | undefined {
  if (PLATFORM.some((folder) => path.startsWith(folder))) return undefined;
  return modules.filter((m) => path.startsWith(m.folder) && m.name !== 'AppModule').sort((a, b) => b.folder.length - a.folder.length)[0];
}

interface Import {
  from: string;
  to: string;
  names: { name: string; typeOnly: boolean }[];
}

function resolve(from: string, specifier: string): string {
  const parts = from.split('/').slice(0, -1);
  for (const part of specifier.replace(/\.js$/, '.ts').split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

function importsOf(file: SourceFile): Import[] {
  return [...file.text.matchAll(/^import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(\.[^']+)'/gm)].map((m) => ({
    from: file.path,
    to: resolve(file.path, m[3]),
    names: m[2]
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean)
      .map((n) => ({ name: n.replace(/^type\s+/, '').split(/\s+as\s+/)[0], typeOnly: Boolean(m[1]) || n.startsWith('type ') })),
  }));
}

/** A file that reads or writes tables: behaviour its module owns, not vocabulary others may share. */
const TOUCHES_DATABASE = /\b(EntityManager|DataSource|runStatement|sendStatement|Repository<)\b|\.query\(/;

/**
 * What breaks the rule "a module uses another's behaviour only through that module's exported
 * providers, and says so in its imports":
 * - a value imported from a file of another module that reads or writes tables, other than a
 *   provider that module exports (its statements, free functions and constants are its own);
 * - an exported provider of a non-global module used without importing that module;
 * - an exported provider no other module uses, a module imported for nothing;
 * - a global module not in GLOBAL_MODULES.
 * Entities, DTOs, types and pure functions (rules, formats, enumerations) are vocabulary: any
 * module may import them.
 */
export function moduleViolations(files: SourceFile[]): string[] {
  const modules = readModules(files);
  const byName = new Map(modules.map((m) => [m.name, m]));
  const byPath = new Map(files.map((f) => [f.path, f]));
  const found: string[] = [];
  const used = new Set<string>(); // `${importer module} -> ${provider}`

  for (const m of modules) {
    if (m.global && !(m.name in GLOBAL_MODULES)) found.push(`${m.name} is global; import it where it is used instead (or say why in GLOBAL_MODULES)`);
  }
  for (const file of files) {
    const importer = moduleOf(file.path, modules);
    if (!importer) continue;
    for (const edge of importsOf(file)) {
      const target = byPath.get(edge.to);
      const owner = moduleOf(edge.to, modules);
      if (!target || !owner || owner === importer || edge.to.endsWith('.module.ts')) continue;
      const touchesDatabase = TOUCHES_DATABASE.test(target.text);
      for (const { name, typeOnly } of edge.names) {
        if (typeOnly || new RegExp(`export (interface|type) ${name}\\b`).test(target.text)) continue;
        if (owner.exports.includes(name)) {
          used.add(`${importer.name} -> ${name}`);
          if (!owner.global && !importer.imports.includes(owner.name)) {
            found.push(`${file.path}: uses ${name} of ${owner.name}, which ${importer.name} does not import`);
          }
        } else if (touchesDatabase) {
          found.push(`${file.path}: imports ${name} from ${edge.to}, an internal of ${owner.name} (use a provider it exports)`);
        }
      }
    }
  }
  for (const m of modules.filter((m) => !PLATFORM.some((folder) => m.folder.startsWith(folder)))) {
    for (const name of m.exports) {
      if (![...used].some((u) => u.endsWith(` -> ${name}`))) found.push(`${m.name} exports ${name}, which no other module uses`);
    }
    for (const imported of m.imports) {
      const other = byName.get(imported)!;
      if (m.name !== 'AppModule' && !other.exports.some((name) => used.has(`${m.name} -> ${name}`))) {
        found.push(`${m.name} imports ${imported} and uses none of its exports`);
      }
    }
  }
  return found;
}
