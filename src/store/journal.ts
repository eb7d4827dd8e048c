/**
 * @module journal: what a durable backend records under the in-memory store, and what it gives
 * back when a store is opened again.
 *
 * The in-memory store stays the cache every read and watch is served from (kube-apiserver's watch
 * cache); the journal holds the versions that cache needs to be rebuilt: every current object,
 * plus every version of the watch history window with the version each one replaced, so that a
 * watch resumed from before a restart sees the same events it would have seen without one. It is
 * etcd's MVCC keyspace with compaction at the history window's start.
 */

/** A row as the journal keeps it: one version of one object, and the change that wrote it. */
export interface JournalRow {
  rv: number
  resource: string
  /** `namespace/name`, or `name` for cluster-scoped objects. */
  key: string
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  /** The object's JSON (for DELETED, its last state with the deletion's resourceVersion). */
  json: Buffer
  /** Written with StoreWriteOptions.compact (kept as bytes only, as Events are). */
  compact: boolean
}

/** What an opened journal holds. */
export interface JournalState {
  /** Every row, oldest first. */
  rows: JournalRow[]
  /** The newest resourceVersion ever handed out (at least the newest row's). */
  rv: number
  /** The newest resourceVersion that fell out of the history window: rows above it are watch events. */
  compactedRV: number
}

/**
 * The durable half of a store. Changes are committed in groups: `record` queues one, and the
 * queue is committed (atomically) once the synchronous work that made it is over, so a burst of
 * writes — a controller's time slice, a request that writes several objects — costs one commit.
 * Nothing outside the process may see a change before its group is durable: responses wait for
 * {@link durable}, and watch streams send their lines after it (they batch per turn of the event
 * loop, which begins after the commit).
 */
export interface StoreJournal {
  /** What was recorded before (empty for a new journal). */
  load(): JournalState
  /**
   * Queues one change (the store applies it at once). Throws StoreError('Internal') and queues
   * nothing once a commit has failed: the data directory then takes no more writes.
   */
  record(row: JournalRow): void
  /** Resolves once every change recorded so far is durable; undefined when all already are. Rejects when their commit failed. */
  durable(): Promise<void> | undefined
  /**
   * The watch history dropped the change at `rv`: from now on nothing needs `replacedRV` (the
   * version it superseded), nor the row itself when it was a deletion. Applied with the next
   * commit, in the same transaction as the new compaction point.
   */
  forget(rv: number, replacedRV: number | undefined, deleted: boolean): void
  /**
   * Saves `value()` under `name` with every commit (the cluster's simulated time, say), so that
   * what was current at the last durable write comes back from {@link savedValue}.
   */
  saveWithCommits(name: string, value: () => number): void
  /** What {@link saveWithCommits} saved under `name` at the last commit before this journal was opened. */
  savedValue(name: string): number | undefined
  /** Replaces everything with `rows` (the current objects after a reset or restore), history empty from `rv`. */
  rebase(rows: JournalRow[], rv: number): void
  /** Commits what is queued and closes. */
  close(): void
}
