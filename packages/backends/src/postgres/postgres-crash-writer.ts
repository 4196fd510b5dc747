/**
 * Entry point of the child process the PostgreSQL durability test kills:
 * `node postgres-crash-writer.js <url> <schema> <rows>`.
 */
import { runDurabilityWriter } from '../contract/durability-writer.js';
import { openPostgresStore } from './postgres-store.js';

const [url, schema, rows] = process.argv.slice(2);
if (url === undefined || schema === undefined || rows === undefined) {
  console.error('usage: postgres-crash-writer <url> <schema> <rows>');
  process.exit(2);
}
const store = await openPostgresStore({ url, schema });
await runDurabilityWriter(store, Number(rows));
