/**
 * Runs a lab in its own process for crash tests: prints its LabInfo as one JSON line on stdout
 * once it is ready, then serves until killed. argv[2] = data dir; LAB_PROCESS_OPTIONS (JSON)
 * adds LabOptions (e.g. the real backends and their namespace).
 */
import { startLab } from '../lab.js';
import type { LabOptions } from '../types.js';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: lab-process <data-dir>');
  process.exit(2);
}
const extra = JSON.parse(process.env.LAB_PROCESS_OPTIONS ?? '{}') as LabOptions;
const lab = await startLab({
  port: 0,
  dataDir,
  log: 'silent',
  rateLimit: { ratePerSec: 1e6, burst: 1e6 },
  ...extra,
});
process.stdout.write(JSON.stringify(lab.info) + '\n');
process.on('SIGTERM', () => {
  void lab.close(5_000).then(() => process.exit(0));
});
