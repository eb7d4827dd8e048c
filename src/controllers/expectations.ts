/**
 * @module expectations: client-go's ControllerExpectations (pkg/controller/controller_utils.go) —
 * the creates and deletes a controller issued and has not yet seen in its informer. A sync that
 * finds its expectations unmet leaves the replica count alone, so a store whose writes show up
 * later than the tick that made them never makes a controller create twice.
 */

/** ExpectationsTimeout: unmet expectations older than this are ignored (5 minutes). */
export const expectationsTimeoutMs = 5 * 60_000

interface Expectation {
  add: number
  del: number
  at: number
}

/** Expected creations and deletions by controller key. */
export class Expectations {
  private readonly byKey = new Map<string, Expectation>()

  constructor(private readonly now: () => number) {}

  /** Records that `adds` creations and `dels` deletions are about to be issued (call before issuing them). */
  expect(key: string, adds: number, dels: number): void {
    this.byKey.set(key, { add: adds, del: dels, at: this.now() })
  }

  /** One expected creation was observed (or will never happen: its create failed). */
  creationObserved(key: string): void {
    const e = this.byKey.get(key)
    if (e) e.add--
  }

  /** One expected deletion was observed (or its delete failed). */
  deletionObserved(key: string): void {
    const e = this.byKey.get(key)
    if (e) e.del--
  }

  /** Whether the controller may act on what its informer shows: nothing outstanding, or the record expired. */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key)
    if (!e) return true
    return (e.add <= 0 && e.del <= 0) || this.now() - e.at > expectationsTimeoutMs
  }

  /** Forgets a controller (it was deleted). */
  delete(key: string): void {
    this.byKey.delete(key)
  }
}
