import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import ts from 'typescript';
import { createTestDatabase } from '../helpers/test-app.js';

/**
 * Every named statement (`prepared<Row>(name, text)` and `statement<Row>(name, text)` in src/) against the migrated schema: the
 * columns PostgreSQL describes for the statement must be exactly the row type's fields, each of
 * the kind the `pg` driver turns that column's type into. A renamed column, a dropped alias or a
 * type that changed in a migration fails here, not in production.
 */

const root = new URL('../../', import.meta.url).pathname;

interface Declared {
  file: string;
  name: string;
  text: string;
  /** Field name -> kind of value, or null for a statement that returns no rows. */
  fields: Record<string, Kind> | null;
}
type Kind = 'string' | 'number' | 'boolean' | 'Date' | 'Buffer' | 'array' | 'json';

/** What `pg` makes of each column type (its default parsers: the service sets none). */
function kindOfColumn(oid: number): Kind {
  switch (oid) {
    case 16: return 'boolean';
    case 17: return 'Buffer';
    case 21: case 23: case 26: case 700: case 701: return 'number';
    case 1082: case 1114: case 1184: return 'Date';
    case 114: case 3802: return 'json';
    case 1000: case 1005: case 1007: case 1009: case 1015: case 1016: case 1231: case 2951: return 'array';
    // text, varchar, uuid, name, bigint, numeric and enum types all arrive as strings.
    default: return 'string';
  }
}

function kindOfType(checker: ts.TypeChecker, type: ts.Type): Kind {
  const parts = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
  const kinds = new Set(
    parts.map((t): Kind => {
      if (t.flags & (ts.TypeFlags.StringLike)) return 'string';
      if (t.flags & ts.TypeFlags.NumberLike) return 'number';
      if (t.flags & ts.TypeFlags.BooleanLike) return 'boolean';
      if (checker.isArrayType(t) || checker.isTupleType(t)) return 'array';
      const name = t.getSymbol()?.getName();
      if (name === 'Date') return 'Date';
      if (name === 'Buffer') return 'Buffer';
      return 'json';
    }),
  );
  return kinds.size === 1 ? [...kinds][0] : 'json';
}

/**
 * A statement's text when the source fixes it: a literal, or a constant the text names (an
 * identifier, an object's property, a template whose every part is such a constant). Undefined
 * when any part is computed per call.
 */
function fixedText(checker: ts.TypeChecker, node: ts.Node): string | undefined {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return fixedText(checker, node.expression);
  if (ts.isTemplateExpression(node)) {
    let text = node.head.text;
    for (const span of node.templateSpans) {
      const part = fixedText(checker, span.expression);
      if (part === undefined) return undefined;
      text += part + span.literal.text;
    }
    return text;
  }
  if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
    let symbol = checker.getSymbolAtLocation(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.valueDeclaration;
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const) {
      return fixedText(checker, declaration.initializer);
    }
    if (declaration && ts.isPropertyAssignment(declaration)) return fixedText(checker, declaration.initializer);
  }
  return undefined;
}

/** The statements as the source declares them, read with the type checker. */
function declaredStatements(): { checked: Declared[]; dynamic: string[] } {
  const config = ts.getParsedCommandLineOfConfigFile(`${root}tsconfig.json`, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const files = config.fileNames.filter((f) => f.startsWith(`${root}src/`));
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const checked: Declared[] = [];
  const dynamic: string[] = [];
  for (const source of program.getSourceFiles()) {
    if (!source.fileName.startsWith(`${root}src/`) || source.fileName.endsWith('/database/statements.ts')) continue;
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && (node.expression.text === 'prepared' || node.expression.text === 'statement')) {
        const [nameArg, textArg] = node.arguments;
        const file = source.fileName.slice(root.length);
        const text = fixedText(checker, textArg);
        if (!ts.isStringLiteralLike(nameArg) || text === undefined) {
          dynamic.push(`${file}: ${nameArg.getText(source)}`);
        } else {
          const typeArg = node.typeArguments?.[0];
          const rowType = typeArg ? checker.getTypeFromTypeNode(typeArg) : undefined;
          const fields =
            !rowType || rowType.flags & ts.TypeFlags.Never
              ? null
              : Object.fromEntries(checker.getPropertiesOfType(rowType).map((p) => [p.getName(), kindOfType(checker, checker.getTypeOfSymbol(p))]));
          checked.push({ file, name: nameArg.text, text, fields });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { checked, dynamic };
}

/** The result columns PostgreSQL describes for a statement (Parse + Describe; nothing runs). */
class Describe extends EventEmitter {
  fields: { name: string; oid: number }[] = [];
  readonly done: Promise<{ name: string; oid: number }[]>;
  private settle!: [(fields: { name: string; oid: number }[]) => void, (error: Error) => void];
  constructor(readonly text: string) {
    super();
    this.done = new Promise((resolve, reject) => (this.settle = [resolve, reject]));
  }
  submit(connection: { parse(m: object): void; describe(m: object): void; sync(): void }) {
    connection.parse({ name: '', text: this.text, types: [] });
    connection.describe({ type: 'S', name: '' });
    connection.sync();
  }
  handleRowDescription(message: { fields: { name: string; dataTypeID: number }[] }) {
    this.fields = message.fields.map((f) => ({ name: f.name, oid: f.dataTypeID }));
  }
  handleError(error: Error) {
    this.settle[1](error);
  }
  handleReadyForQuery() {
    this.settle[0](this.fields);
  }
  handleCommandComplete() {}
  handleEmptyQuery() {}
  handleDataRow() {}
  handlePortalSuspended() {}
}

/** The statements that make the imports' temporary staging tables, in the order an import runs them. */
const STAGING = ['device_import_create_staging', 'student_import_create_staging', 'student_import_match'];

describe('the row types of the named statements', () => {
  let client: pg.Client;
  const { checked, dynamic } = declaredStatements();

  beforeAll(async () => {
    client = new pg.Client({ connectionString: await createTestDatabase() });
    await client.connect();
    // The imports' staging tables exist only inside an import (temporary, dropped at commit): made
    // here for this session, from the imports' own statements, so the statements on them are
    // described like every other.
    for (const name of STAGING) {
      const statement = checked.find((s) => s.name === name);
      if (!statement) throw new Error(`the staging statement ${name} is gone: update STAGING`);
      await client.query(statement.text.replace(/\s+ON COMMIT DROP/i, ''));
    }
  });
  afterAll(() => client.end());

  it('finds the statements (a search that finds nothing proves nothing)', () => {
    expect(checked.map((s) => s.name)).toEqual(expect.arrayContaining(['issue_insert_loan', 'student_contexts', 'loan_by_id', 'auth_user_by_id', 'device_set_status']));
    expect(checked.map((s) => s.name)).toEqual(expect.arrayContaining(['device_import_staged_clashes', 'student_import_update']));
    // Built per call (one per number of events): its text is not fixed, so not checked here.
    expect(dynamic).toEqual(['src/audit/audit-log.ts: `audit_record_${entries.length}`']);
  });

  /** How a declared row type differs from the columns PostgreSQL describes for its statement. */
  async function mismatchesOf(statement: Declared): Promise<string[]> {
    const describe = new Describe(statement.text);
    void client.query(describe as unknown as pg.QueryConfig);
    const described = Object.fromEntries((await describe.done).map((c) => [c.name, kindOfColumn(c.oid)]));
    const declared = statement.fields ?? {};
    const found: string[] = [];
    for (const [name, kind] of Object.entries(described)) {
      // A json column holds whatever the row type says it holds (an array of warnings, a rules object).
      const fits = declared[name] === kind || declared[name] === 'json' || (kind === 'json' && declared[name] !== 'Date' && declared[name] !== 'Buffer');
      if (!(name in declared)) found.push(`${statement.name} (${statement.file}): column ${name} (${kind}) is not in the row type`);
      else if (!fits) found.push(`${statement.name} (${statement.file}): ${name} is ${kind} from PostgreSQL, ${declared[name]} in the row type`);
    }
    for (const name of Object.keys(declared)) {
      if (!(name in described)) found.push(`${statement.name} (${statement.file}): the row type's ${name} is not a column of the statement`);
    }
    return found;
  }

  it('match what PostgreSQL describes for each statement on the migrated schema', async () => {
    const mismatches: string[] = [];
    for (const statement of checked) mismatches.push(...(await mismatchesOf(statement)));
    expect(mismatches).toEqual([]);
  });

  it('tells a misspelt field, a wrong kind and a missing column apart', async () => {
    const probe: Declared = { file: 'probe.ts', name: 'probe', text: 'SELECT id, active, created_at FROM users WHERE id = $1', fields: { id: 'string', active: 'string', created: 'Date' } };
    expect(await mismatchesOf(probe)).toEqual([
      'probe (probe.ts): active is boolean from PostgreSQL, string in the row type',
      'probe (probe.ts): column created_at (Date) is not in the row type',
      "probe (probe.ts): the row type's created is not a column of the statement",
    ]);
  });
});
