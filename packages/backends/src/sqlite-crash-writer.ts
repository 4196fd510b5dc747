/**
 * Entry point of the child process the SQLite durability test kills:
 * `node sqlite-crash-writer.js <database file> <rows>`.
 */
import { runDurabilityWriter } from './contract/durability-writer.js';
import { openSqliteStore } from './sqlite-store.js';

const [path, rows] = process.argv.slice(2);
if (path === undefined || rows === undefined) {
  console.error('usage: sqlite-crash-writer <database file> <rows>');
  process.exit(2);
}
const store = await openSqliteStore({ path });
await runDurabilityWriter(store, Number(rows));
