/**
 * @module scripts/lib/class-archive
 * Faster JVM start-up for the Kafka tools: a dynamic CDS class archive per tool, kept in the
 * jar cache. The first run records one at exit into its scratch folder; it is then published
 * with an atomic rename, and later runs map it (about 2 s saved per broker start). Best effort:
 * never fails a start or stop, and the JVM ignores an archive that does not match.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { kafkaHome } from './kafka-jars'

function cachedArchive(tool: string): string {
  return join(kafkaHome(), 'cds', `${tool}.jsa`)
}

function scratchArchive(tool: string, scratchDir: string): string {
  return join(scratchDir, `${tool}.jsa`)
}

/** JVM flags: map the cached archive, or record one at exit when there is none yet. */
export function classArchiveFlags(tool: string, scratchDir: string): string[] {
  const cached = cachedArchive(tool)
  if (existsSync(cached)) return [`-XX:SharedArchiveFile=${cached}`]
  return [`-XX:ArchiveClassesAtExit=${scratchArchive(tool, scratchDir)}`]
}

/** After the JVM exited: publishes a recorded archive if none is cached, then drops the scratch. */
export function saveClassArchive(tool: string, scratchDir: string): void {
  const scratch = scratchArchive(tool, scratchDir)
  const cached = cachedArchive(tool)
  try {
    if (!existsSync(scratch) || existsSync(cached)) return
    mkdirSync(join(kafkaHome(), 'cds'), { recursive: true })
    // Copy beside the target first: the scratch folder may be on another file system.
    const staged = `${cached}.${process.pid}.tmp`
    copyFileSync(scratch, staged)
    renameSync(staged, cached)
  } catch {
    // Only a cache: the next run records it again.
  } finally {
    rmSync(scratch, { force: true })
  }
}
