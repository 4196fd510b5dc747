import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ENGINES, enginesFromEnv, namespaceNames, openRealBackends } from './real.js';

describe('real engine addresses', () => {
  it('defaults to the ports `twilio-lab infra start` and docker-compose use', () => {
    assert.deepEqual(enginesFromEnv({}), DEFAULT_ENGINES);
    assert.equal(DEFAULT_ENGINES.databaseUrl, 'postgres://postgres@127.0.0.1:15432/postgres');
    assert.deepEqual(DEFAULT_ENGINES.kafkaBrokers, ['127.0.0.1:19092']);
    assert.equal(DEFAULT_ENGINES.redisUrl, 'redis://127.0.0.1:16379');
  });

  it('takes DATABASE_URL, KAFKA_BROKERS (comma-separated) and REDIS_URL, ignoring blanks', () => {
    const engines = enginesFromEnv({
      DATABASE_URL: 'postgres://u@db:5432/x',
      KAFKA_BROKERS: ' k1:9092, ,k2:9092 ',
      REDIS_URL: '  ',
    });
    assert.equal(engines.databaseUrl, 'postgres://u@db:5432/x');
    assert.deepEqual(engines.kafkaBrokers, ['k1:9092', 'k2:9092']);
    assert.equal(engines.redisUrl, DEFAULT_ENGINES.redisUrl);
  });

  it('derives the schema, topic prefix and key prefix of a namespace', () => {
    assert.deepEqual(namespaceNames('Lab-us1_cell-1'), {
      schema: 'lab_us1_cell_1',
      topicPrefix: 'lab_us1_cell_1.',
      keyPrefix: 'lab_us1_cell_1:',
    });
    assert.throws(() => namespaceNames('1lab'), /must start with a letter/);
    assert.throws(() => namespaceNames('--'), /must start with a letter/);
  });
});

describe('openRealBackends', () => {
  it('opens PostgreSQL, Kafka and Redis under one namespace and closes them', async () => {
    const namespace = `realtest_${process.pid}_${Date.now().toString(36)}`;
    const backends = await openRealBackends({
      engines: enginesFromEnv(process.env),
      namespace,
      partitions: 2,
    });
    try {
      assert.equal(backends.store.kind, 'postgres');
      assert.equal(backends.queue.kind, 'kafka');
      assert.equal(backends.cache.kind, 'redis');
      await backends.store.migrate([{ id: 't-1', sql: 'CREATE TABLE t (id TEXT PRIMARY KEY, at INTEGER)' }]);
      await backends.store.write([
        { sql: 'INSERT INTO t (id, at) VALUES (?, ?)', params: ['a', Date.now()] },
      ]);
      assert.equal((await backends.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n, 1);
      await backends.cache.set('k', 'v');
      assert.equal(await backends.cache.get('k'), 'v');
      await backends.cache.del('k');
      const got = new Promise<string>((resolve) => {
        void backends.queue.subscribe('probe', 'g', async (batch) => resolve(batch[0]?.value ?? ''));
      });
      await backends.queue.publish('probe', [{ key: 'a', value: '"hello"' }]);
      assert.equal(await got, '"hello"');
    } finally {
      await backends.store
        .write([{ sql: `DROP SCHEMA ${namespace} CASCADE`, params: [] }])
        .catch(() => undefined);
      await backends.close();
    }
  });

  it('names the engine and what to run when one is not there', async () => {
    await assert.rejects(
      openRealBackends({
        engines: { ...DEFAULT_ENGINES, databaseUrl: 'postgres://postgres@127.0.0.1:1/postgres' },
        namespace: 'nowhere',
      }),
      /PostgreSQL/,
    );
  });
});
