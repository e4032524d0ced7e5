// Builds the web console (web/ -> dist/web) with Vite, then writes brotli and gzip copies of
// its files for @fastify/static's `preCompressed` (src/console/console.ts). `npm run build`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';

const started = Date.now();
await build({ logLevel: 'warn' });
const assets = 'dist/web/assets';
for (const name of readdirSync(assets)) {
  if (!/\.(js|css|svg|json)$/.test(name)) continue;
  const body = readFileSync(join(assets, name));
  writeFileSync(join(assets, name + '.br'), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }));
  writeFileSync(join(assets, name + '.gz'), gzipSync(body, { level: 9 }));
}
if (process.env.BUILD_VERBOSE) console.log(`console built in ${Date.now() - started} ms`);
