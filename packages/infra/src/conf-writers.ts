/**
 * The text of every configuration file the engines read. Pure functions of the resolved settings, so
 * they are unit-tested without starting anything.
 */

export const KAFKA_VERSION = '4.1.1';
/** Kafka 4.1.x builds against these; the binding must be the SLF4J-1 one (log4j-slf4j-impl). */
export const LOG4J2_VERSION = '2.24.3';
export const SLF4J_VERSION = '1.7.36';
/** Pinned: an unpinned Maven 3.8 picks maven-dependency-plugin 2.8. */
export const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies';
/** Any fixed id works for a single-node lab; this one is the one Kafka's own docker examples use. */
export const KAFKA_CLUSTER_ID = '4L6g3nShT-eMCtK--X86sw';
/** The log line KafkaRaftServer writes once the broker serves clients. */
export const KAFKA_STARTED_LINE = 'Kafka Server started';

/** Jar name prefixes that must all be in the libs folder: without the binding the broker logs nothing. */
export const KAFKA_KEY_JARS: readonly string[] = [
  `kafka_2.13-${KAFKA_VERSION}`,
  'log4j-slf4j-impl-',
  'log4j-core-',
  'slf4j-api-',
];

/** The key jars a folder listing lacks (empty when the install is complete). */
export function missingKafkaJars(fileNames: readonly string[]): string[] {
  return KAFKA_KEY_JARS.filter(
    (prefix) => !fileNames.some((f) => f.startsWith(prefix) && f.endsWith('.jar')),
  );
}

export function kafkaPom(): string {
  const dep = (group: string, artifact: string, version: string): string =>
    `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`;
  return [
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>twilio-lab</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>',
    '  <dependencies>',
    dep('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION),
    dep('org.slf4j', 'slf4j-api', SLF4J_VERSION),
    // Kafka's release tarball adds these to libs/, but its published POM does not name them.
    dep('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J2_VERSION),
    dep('org.apache.logging.log4j', 'log4j-core', LOG4J2_VERSION),
    dep('org.apache.logging.log4j', 'log4j-api', LOG4J2_VERSION),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

/** Console only: the broker's stdout goes to logs/server.out, where start looks for the ready line. */
export function kafkaLog4j2(): string {
  return [
    'status = warn',
    'appender.out.type = Console',
    'appender.out.name = OUT',
    'appender.out.layout.type = PatternLayout',
    'appender.out.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.out.ref = OUT',
    '',
  ].join('\n');
}

export interface KafkaServerSettings {
  host: string;
  port: number;
  controllerPort: number;
  /** Absolute: the broker resolves a relative one against its working directory. */
  dataDir: string;
}

/** Single-node KRaft (broker + controller, static voter), sized for a lab. */
export function kafkaServerProperties(s: KafkaServerSettings): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${s.host}:${s.controllerPort}`,
    `listeners=PLAINTEXT://${s.host}:${s.port},CONTROLLER://${s.host}:${s.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${s.host}:${s.port}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${s.dataDir}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    // One partition instead of 50 makes the first consumer-group join fast.
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

/** JVM flags of bin/kafka-server-start.sh, with the heap made explicit. */
export function kafkaJvmArgs(heap: string, logsDir: string, log4jPath: string, libsDir: string): string[] {
  return [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:MaxInlineLevel=15',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${logsDir}`,
    `-Dlog4j2.configurationFile=${log4jPath}`,
    '-cp',
    // Java expands the trailing * itself; no shell is involved.
    `${libsDir}/*`,
  ];
}

export interface RedisSettings {
  host: string;
  port: number;
  dir: string;
  pidPath: string;
  logPath: string;
}

export function redisConf(s: RedisSettings): string {
  return [
    `bind ${s.host}`,
    `port ${s.port}`,
    'daemonize yes',
    `pidfile ${s.pidPath}`,
    `logfile ${s.logPath}`,
    `dir ${s.dir}`,
    'appendonly yes',
    'appendfsync everysec',
    'save 900 1 300 10 60 10000',
    'maxmemory 2gb',
    // A lab queue or cache that silently drops keys would hide bugs: fail writes instead.
    'maxmemory-policy noeviction',
    '',
  ].join('\n');
}

export const POSTGRES_CONF_FILE = 'twilio-lab.conf';
export const POSTGRES_INCLUDE_LINE = `include = '${POSTGRES_CONF_FILE}'`;

export interface PostgresSettings {
  host: string;
  port: number;
  socketDir: string;
  sharedBuffers: string;
}

export function postgresConf(s: PostgresSettings): string {
  return [
    `listen_addresses = '${s.host}'`,
    `port = ${s.port}`,
    `unix_socket_directories = '${s.socketDir}'`,
    'max_connections = 200',
    `shared_buffers = ${s.sharedBuffers}`,
    'effective_cache_size = 4GB',
    'work_mem = 16MB',
    'maintenance_work_mem = 256MB',
    // The crash tests rely on committed data surviving a kill: never turn these off.
    'fsync = on',
    'synchronous_commit = on',
    'full_page_writes = on',
    'wal_compression = lz4',
    'max_wal_size = 4GB',
    'min_wal_size = 1GB',
    'checkpoint_timeout = 15min',
    'checkpoint_completion_target = 0.9',
    'random_page_cost = 1.1',
    '',
  ].join('\n');
}

/** postgresql.conf with the include line appended once. */
export function withPostgresInclude(mainConf: string): string {
  if (mainConf.split('\n').some((line) => line.trim() === POSTGRES_INCLUDE_LINE)) return mainConf;
  return mainConf + (mainConf.endsWith('\n') || mainConf === '' ? '' : '\n') + POSTGRES_INCLUDE_LINE + '\n';
}

export interface PrometheusSettings {
  targetsDir: string;
  ruleFiles: readonly string[];
}

/** Scrapes whatever target files the lab drops into targetsDir (re-read every 5 s, no reload). */
export function prometheusYml(s: PrometheusSettings): string {
  const lines = ['global: { scrape_interval: 5s, evaluation_interval: 5s }'];
  if (s.ruleFiles.length > 0) {
    lines.push('rule_files:', ...s.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`));
  }
  lines.push(
    'scrape_configs:',
    '  - job_name: lab',
    '    file_sd_configs:',
    `      - files: [${JSON.stringify(`${s.targetsDir}/*.json`)}]`,
    '        refresh_interval: 5s',
    '',
  );
  return lines.join('\n');
}
