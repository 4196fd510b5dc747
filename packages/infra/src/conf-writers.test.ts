import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KAFKA_KEY_JARS,
  POSTGRES_INCLUDE_LINE,
  kafkaJvmArgs,
  kafkaLog4j2,
  kafkaPom,
  kafkaServerProperties,
  missingKafkaJars,
  postgresConf,
  prometheusYml,
  redisConf,
  withPostgresInclude,
} from './conf-writers.js';

function properties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.includes('=')) continue;
    const at = line.indexOf('=');
    map.set(line.slice(0, at), line.slice(at + 1));
  }
  return map;
}

test('server.properties: single-node KRaft on the given ports with an absolute log.dirs', () => {
  const p = properties(
    kafkaServerProperties({
      host: '127.0.0.1',
      port: 29092,
      controllerPort: 29093,
      dataDir: '/abs/kafka/data',
    }),
  );
  assert.equal(p.get('process.roles'), 'broker,controller');
  assert.equal(p.get('controller.quorum.voters'), '1@127.0.0.1:29093');
  assert.equal(p.get('listeners'), 'PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093');
  assert.equal(p.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:29092');
  assert.equal(p.get('log.dirs'), '/abs/kafka/data');
  assert.equal(p.get('offsets.topic.replication.factor'), '1');
  assert.equal(p.get('transaction.state.log.min.isr'), '1');
  assert.equal(p.get('group.initial.rebalance.delay.ms'), '0');
  // A bootstrap-servers quorum would need --standalone at format time; static voters must not have it.
  assert.equal(p.has('controller.quorum.bootstrap.servers'), false);
});

test('pom: Kafka 4.1.1 plus the SLF4J-1 log4j2 binding Maven would not bring in', () => {
  const pom = kafkaPom();
  assert.match(pom, /<artifactId>kafka_2\.13<\/artifactId><version>4\.1\.1<\/version>/);
  assert.match(pom, /<artifactId>log4j-slf4j-impl<\/artifactId><version>2\.24\.3<\/version>/);
  assert.match(pom, /<artifactId>slf4j-api<\/artifactId><version>1\.7\.36<\/version>/);
  assert.match(pom, /<artifactId>log4j-core<\/artifactId>/);
  assert.doesNotMatch(pom, /slf4j2-impl/);
  assert.match(kafkaLog4j2(), /rootLogger\.appenderRef\.out\.ref = OUT/);
});

test('missingKafkaJars names each key jar absent from a listing', () => {
  const complete = [
    'kafka_2.13-4.1.1.jar',
    'log4j-slf4j-impl-2.24.3.jar',
    'log4j-core-2.24.3.jar',
    'slf4j-api-1.7.36.jar',
    'kafka-clients-4.1.1.jar',
  ];
  assert.deepEqual(missingKafkaJars(complete), []);
  assert.deepEqual(missingKafkaJars(complete.filter((f) => !f.startsWith('log4j-slf4j'))), [
    'log4j-slf4j-impl-',
  ]);
  assert.deepEqual(missingKafkaJars([]), [...KAFKA_KEY_JARS]);
  // A jar of another Kafka version is not the one the pom pins.
  assert.deepEqual(missingKafkaJars(['kafka_2.13-3.9.1.jar', ...complete.slice(1)]), ['kafka_2.13-4.1.1']);
});

test('kafka JVM arguments: the given heap on both ends and a wildcard classpath', () => {
  const args = kafkaJvmArgs('1g', '/k/logs', '/k/log4j2.properties', '/k/libs');
  assert.ok(args.includes('-Xms1g') && args.includes('-Xmx1g'));
  assert.ok(args.includes('-Dlog4j2.configurationFile=/k/log4j2.properties'));
  assert.equal(args[args.indexOf('-cp') + 1], '/k/libs/*');
});

test('redis.conf: loopback, daemonized with a pid file, AOF every second', () => {
  const lines = redisConf({
    host: '127.0.0.1',
    port: 26379,
    dir: '/i/redis',
    pidPath: '/i/redis/redis.pid',
    logPath: '/i/redis/redis.log',
  }).split('\n');
  for (const expected of [
    'bind 127.0.0.1',
    'port 26379',
    'daemonize yes',
    'pidfile /i/redis/redis.pid',
    'logfile /i/redis/redis.log',
    'dir /i/redis',
    'appendonly yes',
    'appendfsync everysec',
  ]) {
    assert.ok(lines.includes(expected), `missing "${expected}"`);
  }
});

test('postgres conf: port, loopback, socket folder, durability on, 200 connections', () => {
  const lines = postgresConf({
    host: '127.0.0.1',
    port: 25432,
    socketDir: '/i/pg',
    sharedBuffers: '1GB',
  }).split('\n');
  for (const expected of [
    "listen_addresses = '127.0.0.1'",
    'port = 25432',
    "unix_socket_directories = '/i/pg'",
    'max_connections = 200',
    'shared_buffers = 1GB',
    'fsync = on',
    'synchronous_commit = on',
    'full_page_writes = on',
  ]) {
    assert.ok(lines.includes(expected), `missing "${expected}"`);
  }
  assert.ok(!lines.some((l) => /= off$/.test(l)), 'no setting may be turned off');
});

test('withPostgresInclude appends the include once', () => {
  const once = withPostgresInclude('# main\nport = 5432');
  assert.equal(once, `# main\nport = 5432\n${POSTGRES_INCLUDE_LINE}\n`);
  assert.equal(withPostgresInclude(once), once);
});

test('prometheus.yml: file_sd over the targets folder, rule files only when given', () => {
  const plain = prometheusYml({ targetsDir: '/i/prom/targets', ruleFiles: [] });
  assert.match(plain, /files: \["\/i\/prom\/targets\/\*\.json"\]/);
  assert.match(plain, /refresh_interval: 5s/);
  assert.doesNotMatch(plain, /rule_files/);
  const withRules = prometheusYml({ targetsDir: '/t', ruleFiles: ['/repo/grafana/rules/lab.yml'] });
  assert.match(withRules, /rule_files:\n {2}- "\/repo\/grafana\/rules\/lab\.yml"/);
});
