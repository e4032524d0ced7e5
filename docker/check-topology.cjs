// docker/check.sh, check 6: compose.yaml describes the scale-out topology of docs/scaling.md
// (load balancer, API x N, PgBouncer, primary, replica), and what it mounts or builds exists.
const fs = require('node:fs');
const path = require('node:path');
const yaml = require(path.resolve('node_modules/js-yaml'));

const compose = yaml.load(fs.readFileSync('docker/compose.yaml', 'utf8'));
let bad = 0;
const report = (ok, msg) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${msg}`);
  if (!ok) bad++;
};
const s = compose.services ?? {};
for (const name of ['lb', 'api', 'pgbouncer', 'primary', 'replica']) report(!!s[name], `topology: service ${name}`);
report(/API_REPLICAS/.test(String(s.api?.deploy?.replicas)), 'topology: api runs API_REPLICAS replicas (deploy.replicas)');
const env = s.api?.environment ?? {};
report(/@pgbouncer:6432\//.test(env.DATABASE_URL ?? ''), 'topology: api requests go through PgBouncer');
report(/@primary:5432\//.test(env.MIGRATION_DATABASE_URL ?? ''), 'topology: api migrations go straight to the primary');
report(/@replica:5432\//.test(env.DATABASE_REPLICA_URL ?? ''), 'topology: api reports read the replica (DATABASE_REPLICA_URL)');
report(!s.api?.ports, 'topology: api publishes no port (the load balancer is the way in)');
report((s.primary?.command ?? []).some((c) => /^synchronous_standby_names=/.test(c)), 'topology: primary sets synchronous_standby_names');
for (const [name, service] of Object.entries(s)) {
  for (const volume of service.volumes ?? []) {
    const source = String(volume).split(':')[0];
    if (!source.startsWith('.')) continue;
    const file = path.join('docker', source);
    const script = file.endsWith('.sh');
    const ok = fs.existsSync(file) && (!script || (fs.statSync(file).mode & 0o111) !== 0);
    report(ok, `topology: ${name} mounts ${source} (exists${script ? ', executable' : ''})`);
  }
  const context = service.build?.context;
  if (context && !service.build.dockerfile) {
    const dir = path.join('docker', context);
    const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    for (const m of dockerfile.matchAll(/^COPY\s+(\S+)\s/gm)) report(fs.existsSync(path.join(dir, m[1])), `topology: ${name} image COPY ${m[1]} exists`);
  }
}
process.exit(Math.min(bad, 100));
