/**
 * @module scripts/lib/kafka-config
 * The text of a single-node KRaft broker's server.properties and log4j2 config, and its cluster
 * id. Pure: writes nothing. The broker it describes listens on 127.0.0.1 only, never elsewhere.
 */

export interface KafkaNodeSettings {
  /** Client listener on 127.0.0.1. */
  readonly port: number
  /** KRaft controller listener on 127.0.0.1. */
  readonly controllerPort: number
  readonly dataDir: string
}

/** server.properties for one combined broker+controller node, tuned for tests on a small host. */
export function serverProperties(s: KafkaNodeSettings): string {
  const lines = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${s.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${s.port},CONTROLLER://127.0.0.1:${s.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${s.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${s.dataDir}`,
    // Tests create their topics; a typo must fail, not create an empty topic.
    'auto.create.topics.enable=false',
    'num.partitions=6',
    'default.replication.factor=1',
    // One node: every internal topic has one replica, and few partitions load faster.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=3',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // A group forms at once, and clients may use short session timeouts for fast rebalances.
    'group.initial.rebalance.delay.ms=0',
    'group.min.session.timeout.ms=1000',
    'num.network.threads=2',
    'num.io.threads=4',
    'log.cleaner.dedupe.buffer.size=16777216',
  ]
  return `${lines.join('\n')}\n`
}

/** Broker log to stdout at INFO, without the config dumps and per-request chatter. */
export const LOG4J2_PROPERTIES = `status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
`

/**
 * A cluster id as Kafka's `StorageTool random-uuid` prints it: 16 random bytes in URL-safe base64
 * without padding, never starting with '-' (the tool would read it as an option).
 */
export function clusterIdFrom(random16: Uint8Array): string | null {
  if (random16.length !== 16 || random16.every((b) => b === 0)) return null
  const id = Buffer.from(random16).toString('base64url')
  return id.startsWith('-') ? null : id
}
