/**
 * Runs an embedded lab in its own process for crash tests: prints its LabInfo as one JSON line
 * on stdout once it is ready, then serves until killed. argv[2] = data dir.
 */
import { startLab } from '../lab.js';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: lab-process <data-dir>');
  process.exit(2);
}
const lab = await startLab({ port: 0, dataDir, log: 'silent', rateLimit: { ratePerSec: 1e6, burst: 1e6 } });
process.stdout.write(JSON.stringify(lab.info) + '\n');
process.on('SIGTERM', () => {
  void lab.close(5_000).then(() => process.exit(0));
});
