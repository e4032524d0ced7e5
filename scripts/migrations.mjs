// Migration CLI over the app's own DataSource options (dist/, built by the npm script first).
//   npm run migration:run | migration:revert | migration:show | migration:generate -- <Name>
// Uses DATABASE_URL when set; otherwise the embedded PostgreSQL in DATA_DIR (default ./.data),
// started for the command and stopped after it (stop `npm start` first: one user per folder).
import { writeFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { loadConfig } from '../dist/src/config/app-config.js';
import { dataSourceOptions } from '../dist/src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../dist/src/database/embedded-postgres.js';
import { ensureDatabase, runMigrations, withDatabase } from '../dist/src/database/migrate.js';

const [command, name] = process.argv.slice(2);
const config = loadConfig();
const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
const url = config.databaseUrl ?? withDatabase(embedded.url, 'laptop_loans');

try {
  if (embedded) await ensureDatabase(url);
  if (command === 'run') {
    const applied = await runMigrations(url);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply');
  } else {
    const dataSource = new DataSource(dataSourceOptions({ url, poolSize: 2 }));
    await dataSource.initialize();
    try {
      if (command === 'revert') {
        await dataSource.undoLastMigration({ transaction: 'each' });
        console.log('Reverted the last migration');
      } else if (command === 'show') {
        const pending = await dataSource.showMigrations();
        console.log(pending ? 'There are pending migrations' : 'The schema is up to date');
      } else if (command === 'generate') {
        if (!/^[A-Z][A-Za-z0-9]+$/.test(name ?? '')) throw new Error('Usage: npm run migration:generate -- <PascalCaseName>');
        const sql = await dataSource.driver.createSchemaBuilder().log();
        // Checks, indexes, foreign keys and defaults live in the hand-written migrations, not in the
        // entities, so TypeORM proposes dropping them: leave those proposals out of the draft.
        const ours = /DROP CONSTRAINT|DROP INDEX|DROP DEFAULT|ADD CONSTRAINT|CREATE (UNIQUE )?INDEX|SET DEFAULT/;
        const keep = sql.upQueries.map((q, i) => !ours.test(q.query) && !ours.test(sql.downQueries[i]?.query ?? ''));
        sql.upQueries = sql.upQueries.filter((_, i) => keep[i]);
        sql.downQueries = sql.downQueries.filter((_, i) => keep[i]);
        if (!sql.upQueries.length) {
          console.log('The entities match the schema: nothing to generate');
        } else {
          const stamp = Date.now();
          const q = (list) => list.map((x) => `    await db.query(${JSON.stringify(x.query)});`).join('\n');
          const file = `migrations/${stamp}-${name.replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase())}.ts`;
          writeFileSync(
            file,
            `import type { MigrationInterface, QueryRunner } from 'typeorm';\n\n` +
              `/** Generated from the entities; review by hand, then add it to migrations/index.ts. */\n` +
              `export class ${name}${stamp} implements MigrationInterface {\n  name = '${name}${stamp}';\n\n` +
              `  async up(db: QueryRunner): Promise<void> {\n${q(sql.upQueries)}\n  }\n\n` +
              `  async down(db: QueryRunner): Promise<void> {\n${q(sql.downQueries.reverse())}\n  }\n}\n`,
          );
          console.log(`Wrote ${file}: review it and add it to migrations/index.ts`);
        }
      } else {
        throw new Error('Usage: node scripts/migrations.mjs run|revert|show|generate <Name>');
      }
    } finally {
      await dataSource.destroy();
    }
  }
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
} finally {
  await embedded?.stop();
}
