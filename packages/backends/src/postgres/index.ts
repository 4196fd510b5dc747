/**
 * The PostgreSQL Store adapter. Loaded lazily by the package index, so the embedded path
 * never loads pg.
 */
export { openPostgresStore } from './postgres-store.js';
export type { PostgresStoreOptions } from './postgres-store.js';
