/**
 * A runner that injects faults and then hangs, so a test can SIGKILL it and check that the crash
 * guard reverts them. argv: toxiproxy URL, journal path.
 */
import { startFaults } from '../timeline.js';

const [url, journalPath] = process.argv.slice(2) as [string, string];
const timeline = await startFaults(
  [
    { atMs: 0, action: 'latency', target: 'us1.cell-1.postgres', params: { latency: 1000 } },
    { atMs: 0, action: 'down', target: 'us1->eu1', params: {} },
  ],
  { toxiproxyUrl: url, journalPath },
);
await timeline.done;
process.stdout.write('injected\n');
setInterval(() => undefined, 60_000);
