/** @module store-error: why a store operation failed; the registry turns it into a Kubernetes Status. */

/** `oldestRV` is set for Expired: the compaction point quoted in "too old resource version". */
export class StoreError extends Error {
  constructor(
    readonly code: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired' | 'BadRequest',
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
