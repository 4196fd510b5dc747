/**
 * Child process the journal crash test SIGKILLs: `node journal-crash-child.js <journal dir> <count>`.
 * It sends `count` messages through each carrier of crashCarriers(), leaves the fast carrier's
 * receipts unacknowledged (its route is closed after the handsets got the messages) and the slow
 * carrier's not yet due, prints what it sent as one JSON line, then waits to be killed.
 */
import { createSuperNetwork } from '../super-network.js';
import { crashCarriers, crashMessage } from './crash-fixture.js';

const [dir, count] = process.argv.slice(2);
if (dir === undefined || count === undefined) {
  console.error('usage: journal-crash-child <journal dir> <count>');
  process.exit(2);
}
const net = await createSuperNetwork({ carriers: crashCarriers(), journalDir: dir });
const n = Number(count);
const delivered = Array.from({ length: n }, (_, i) => crashMessage('+1415555', i));
await Promise.all(delivered.map((m) => net.submit(m)));
await net.route('us-fast')?.close();
await Promise.all(delivered.map((m) => net.handsets.waitFor(m.to, { timeoutMs: 10_000 })));
const owed = Array.from({ length: n }, (_, i) => crashMessage('+4477009', i));
await Promise.all(owed.map((m) => net.submit(m)));
process.stdout.write(JSON.stringify({ delivered, owed }) + '\n');
setInterval(() => undefined, 60_000);
