/**
 * @module pipeline/task-gate
 * Where a message's batch-task headers (SPEC §5) meet the ledger: parse them (untrusted input),
 * then ask the coordinator whether the batch's rows may be written. Known tasks answer without
 * an await; the first message of a new task waits for its action. No header text reaches SQL
 * here: only checked specs go to the coordinator.
 */

import type { BatchTaskCoordinator } from '../ledger/coordinator'
import type { HeaderParse } from '../ledger/headers'
import { parseBatchHeaders } from '../ledger/headers'
import { routedTargetPredicate } from '../ledger/routed-target'
import type { Admission, BatchTaskSpec } from '../ledger/task'
import type { Route, Router } from '../route/router'
import type { SinkKind } from '../sinks/sink'
import type { KafkaHeader } from '../source/packed-batch'

export class TaskGate {
  private readonly isRoutedTarget: (database: string, table: string) => boolean

  constructor(
    private readonly coordinator: BatchTaskCoordinator,
    router: Router,
    private readonly sinkType: SinkKind,
    private readonly sinkDatabase: string,
  ) {
    this.isRoutedTarget = routedTargetPredicate(router.routes)
  }

  parse(headers: readonly KafkaHeader[], route: Route | undefined): HeaderParse {
    const db = route?.database.fixed ? route.database.text : this.sinkDatabase
    return parseBatchHeaders(headers, {
      sinkType: this.sinkType,
      defaultDatabase: db,
      isRoutedTarget: this.isRoutedTarget,
    })
  }

  /** The verdict for a task settled here already, without an await. */
  known(taskId: string): Admission | undefined {
    return this.coordinator.verdictIfKnown(taskId)
  }

  /** Runs or waits for the task's action; rejects when the ledger cannot answer in time. */
  admit(spec: BatchTaskSpec, signal: AbortSignal): Promise<Admission> {
    return this.coordinator.admit(spec, signal)
  }
}
