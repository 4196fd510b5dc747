/**
 * Test support for labs on the real engines (PostgreSQL, Kafka, Redis at DATABASE_URL,
 * KAFKA_BROKERS, REDIS_URL, which the test command starts): a namespace of their own per
 * test, and its PostgreSQL schemas dropped afterwards so runs do not pile up.
 */
import { randomBytes } from 'node:crypto';
import { enginesFromEnv, namespaceNames, openPostgresStore } from '@twilio-lab/backends';
import type { LabOptions } from '../types.js';

export function uniqueNamespace(label: string): string {
  return `t_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
}

/** The lab options of a lab on the real engines under a fresh namespace. */
export function realBackend(label: string): Required<Pick<LabOptions, 'backend' | 'namespace'>> {
  return { backend: 'real', namespace: uniqueNamespace(label) };
}

/** Drops the namespace's schemas (the cell's and the global tier's). */
export async function dropNamespace(namespace: string): Promise<void> {
  const engines = enginesFromEnv(process.env);
  const admin = await openPostgresStore({ url: engines.databaseUrl, schema: 'public', poolSize: 1 });
  try {
    const schemas = await admin.all<{ nspname: string }>(
      'SELECT nspname FROM pg_namespace WHERE nspname LIKE ?',
      [`${namespaceNames(namespace).schema}%`],
    );
    for (const { nspname } of schemas) {
      await admin.write([{ sql: `DROP SCHEMA IF EXISTS "${nspname}" CASCADE`, params: [] }]);
    }
  } finally {
    await admin.close();
  }
}
