#!/usr/bin/env node
// Runs every compiled test file (packages/*/dist/**/*.test.js) with node:test, against real
// engines: PostgreSQL, Kafka, Redis, Toxiproxy and Prometheus are installed (idempotent) and
// started with `twilio-lab infra` first, and their addresses reach the tests through
// DATABASE_URL, KAFKA_BROKERS, REDIS_URL, TOXIPROXY_URL and PROMETHEUS_URL. Engines this run
// started are stopped at the end; ones already running are left alone.
// TWILIO_LAB_ENGINES=external skips all that and uses the variables as given (docker compose).
// Node 20's runner takes no globs, so the files are listed here.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const CLI = join('packages', 'cli', 'bin', 'run.js');

function infra(...args) {
  const run = spawnSync(process.execPath, [CLI, 'infra', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    process.stdout.write(run.stdout ?? '');
    console.error(
      `\`twilio-lab infra ${args.join(' ')}\` failed (exit ${run.status}); the tests need the engines.`,
    );
    process.exit(run.status ?? 1);
  }
  return run.stdout;
}

/** Installs and starts the engines; returns the env for the tests and the services to stop after. */
function startEngines() {
  if (process.env.TWILIO_LAB_ENGINES === 'external') return { env: {}, started: [] };
  process.stdout.write(infra('install'));
  const reports = JSON.parse(infra('start', '--json')).services;
  const started = reports.filter((r) => r.outcome === 'started').map((r) => r.service);
  for (const r of reports) console.log(`engine ${r.service}: ${r.outcome}`);
  const dir = process.env.TWILIO_LAB_INFRA_DIR ?? '.infra';
  const file = JSON.parse(readFileSync(join(dir, 'infra.json'), 'utf8'));
  return { env: file.env, started };
}

const roots = ['packages', 'bench'];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.test.js') && full.includes(`${'/'}dist${'/'}`)) files.push(full);
  }
}
for (const root of roots) walk(root);
const filter = process.argv[2];
const selected = filter ? files.filter((f) => f.includes(filter)) : files;
if (selected.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const engines = startEngines();
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=180000', ...selected],
  { stdio: 'inherit', env: { ...process.env, ...engines.env } },
);
if (engines.started.length > 0) infra('stop', ...engines.started);
process.exit(result.status ?? 1);
