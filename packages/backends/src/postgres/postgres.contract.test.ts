import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { storeContract, storeDurabilityContract } from '../contract/store.contract.js';
import { openPostgresStore } from './postgres-store.js';
import { DATABASE_URL, adminClient, dropSchemas, uniqueSchema } from './test-support.js';

const schemas = new Set<string>();
function freshSchema(label: string): string {
  const schema = uniqueSchema(label);
  schemas.add(schema);
  return schema;
}

before(async () => {
  // Fails (with directions) when PostgreSQL is not running, instead of 20 confusing failures.
  await (await adminClient()).end();
});
after(() => dropSchemas(schemas));

storeContract('postgres', () => openPostgresStore({ url: DATABASE_URL, schema: freshSchema('contract') }));

const crashSchema = freshSchema('durability');
storeDurabilityContract('postgres', {
  spawnWriter: (rows) =>
    spawn(
      process.execPath,
      [
        fileURLToPath(new URL('./postgres-crash-writer.js', import.meta.url)),
        DATABASE_URL,
        crashSchema,
        String(rows),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  reopen: () => openPostgresStore({ url: DATABASE_URL, schema: crashSchema }),
});
