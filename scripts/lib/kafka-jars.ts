/**
 * @module scripts/lib/kafka-jars
 * Fetches the Apache Kafka broker (org.apache.kafka:kafka_2.13 and its runtime dependencies) from
 * Maven Central once, into .cache/kafka/<version>/libs, and reuses it afterwards. A libs folder is
 * only ever made visible complete (built aside, then renamed), so a crash never leaves half of it.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runChecked } from './command'
import { ensurePackages } from './debian-packages'
import { CACHE_DIR } from './repo-paths'

export const KAFKA_VERSION = '4.3.1'
/** The log4j2 that kafka_2.13 itself depends on, plus its SLF4J binding so the broker logs. */
const LOG4J_VERSION = '2.25.4'
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1'
const COMPLETE = '.complete'
const MAVEN_TIMEOUT_MS = 20 * 60_000

function pom(): string {
  const dep = (group: string, artifact: string, version: string) =>
    `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.sinker</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${dep('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION)}
${dep('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_VERSION)}
  </dependencies>
</project>
`
}

/** .cache/kafka/<version>: the pom, the jars, and the class archives. */
export function kafkaHome(): string {
  return join(CACHE_DIR, 'kafka', KAFKA_VERSION)
}

/** The folder of broker jars (for `java -cp "<libs>/*"`), downloading them the first time. */
export async function ensureKafkaJars(log: (line: string) => void): Promise<string> {
  const home = kafkaHome()
  const libs = join(home, 'libs')
  if (existsSync(join(libs, COMPLETE))) return libs
  if (!Bun.which('mvn')) await ensurePackages(['maven'], log)
  mkdirSync(home, { recursive: true })
  writeFileSync(join(home, 'pom.xml'), pom())
  const staging = mkdtempSync(join(home, 'libs-'))
  log(`fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs}`)
  try {
    await runChecked(
      [
        'mvn',
        '-B',
        '-q',
        '-f',
        join(home, 'pom.xml'),
        `${DEPENDENCY_PLUGIN}:copy-dependencies`,
        `-DoutputDirectory=${staging}`,
        '-DincludeScope=runtime',
      ],
      { timeoutMs: MAVEN_TIMEOUT_MS },
    )
    writeFileSync(join(staging, COMPLETE), `kafka_2.13 ${KAFKA_VERSION}\n`)
    publish(staging, libs)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  return libs
}

/** Renames the staged folder into place; another process that got there first wins. */
function publish(staging: string, libs: string): void {
  try {
    renameSync(staging, libs)
  } catch (err) {
    if (!existsSync(join(libs, COMPLETE))) throw err
  }
}
