/** @module store-error: why a store operation failed; the registry turns it into a Kubernetes Status. */

/**
 * `oldestRV` is set for Expired: the compaction point quoted in "too old resource version".
 * `TooLarge` (one object over the size limit) and `NoSpace` (the quota is used up) are etcd's
 * ErrRequestTooLarge and ErrNoSpace; their messages are for logs, not clients. `Internal` is a
 * durable backend that failed to record a write (which was then not applied). `Timeout` is a
 * backend that did not answer in time (etcd away): the write may or may not have happened.
 */
export class StoreError extends Error {
  constructor(
    readonly code: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired' | 'BadRequest' | 'TooLarge' | 'NoSpace' | 'Internal' | 'Timeout',
    message: string,
    readonly oldestRV = 0,
  ) {
    super(message)
  }
}

/** A request the store cannot apply as sent (a malformed patch or selector): a 400 at the API. */
export function badRequest(message: string): StoreError {
  return new StoreError('BadRequest', message)
}
