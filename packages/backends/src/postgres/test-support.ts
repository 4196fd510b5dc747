/**
 * Shared by this folder's tests: where the development PostgreSQL is, a unique schema per
 * use, and cleanup. A missing engine is a failure with directions, never a skip.
 */
import pg from 'pg';
import { uniqueSuffix } from '../contract/wait.js';

export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:15432/postgres';

export function uniqueSchema(label: string): string {
  return `t_${label}_${uniqueSuffix()}`.toLowerCase();
}

/** A plain pg client for the test's own checks (outside any store). */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    const where = safeTarget(DATABASE_URL);
    throw new Error(
      `PostgreSQL did not answer at ${where} (set DATABASE_URL, or run \`npx twilio-lab infra start\`): ${String(error)}`,
    );
  }
  client.on('error', () => undefined);
  return client;
}

export async function dropSchemas(schemas: Iterable<string>): Promise<void> {
  const list = [...schemas];
  if (list.length === 0) return;
  const client = await adminClient();
  try {
    for (const schema of list) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

function safeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}`;
  } catch {
    return url;
  }
}
