/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile DIR`): self time per function and
 * per package, and inclusive time of the service's own functions, so hot spots show without DevTools.
 *   node bench/profile-summary.mjs DIR/CPU.*.cpuprofile [top=30] [last N seconds only]
 */
import { readFileSync } from 'node:fs';

const [file, topArg, lastArg] = process.argv.slice(2);
const top = Number(topArg ?? 30);
// Optional: only the last N seconds of the profile (the measurement, without start-up).
const lastSeconds = lastArg ? Number(lastArg) : Infinity;
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
const dt = profile.timeDeltas;
const from = profile.endTime - lastSeconds * 1e6;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += dt[i] ?? 0;
  if (at >= from) self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (n) => {
  const url = n.callFrame.url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.includes('/dist/src/')) return 'service:' + url.split('/dist/src/')[1];
  if (url.startsWith('node:')) return url;
  return url || '(native)';
};
const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n)}:${n.callFrame.lineNumber + 1}`;
const add = (map, k, v) => map.set(k, (map.get(k) ?? 0) + v);
const byFn = new Map(), byPkg = new Map(), inclusive = new Map();
for (const [id, t] of self) {
  const n = nodes.get(id);
  add(byFn, label(n), t);
  add(byPkg, where(n).replace(/:.*$/, '').replace(/^service:.*/, 'service'), t);
  // Inclusive time of every distinct service frame on the stack.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const f = nodes.get(cur);
    if (f.callFrame.url.includes('/dist/src/') || /node_modules\/(typeorm|@nestjs|pg|fastify|pino)/.test(f.callFrame.url)) {
      const k = label(f);
      if (!seen.has(k)) { seen.add(k); add(inclusive, k, t); }
    }
  }
}
const show = (title, map) => {
  console.log(`\n## ${title}`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((t / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(`total sampled ${(total / 1e6).toFixed(1)} s`);
show('self time by package', byPkg);
show('self time by function', byFn);
show('inclusive time (service, typeorm, nest, pg, fastify, pino frames)', inclusive);
