/** @module store-error: why a store operation failed; the registry turns it into a Kubernetes Status. */

/**
 * `oldestRV` is set for Expired: the compaction point quoted in "too old resource version".
 * `TooLarge` (one object over the size limit) and `NoSpace` (the quota is used up) are etcd's
 * ErrRequestTooLarge and ErrNoSpace; their messages are for logs, not clients.
 */
export class StoreError extends Error {
  constructor(
    readonly code: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired' | 'TooLarge' | 'NoSpace',
    message: string,
    readonly oldestRV = 0,
  ) {
    super(message)
  }
}
