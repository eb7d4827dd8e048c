/** @module catalogue-harness: a speed-0 cluster to start catalogue images in, read their logs, status and files, and run shell lines in them. */
import type { Pod } from 'kubernetes-types/core/v1.js'
import { Cluster } from '../../../src/cluster.js'
import { SimClock } from '../../../src/sim/clock.js'
import { fsFor } from '../../../src/sim/containers/fs.js'
import { processesFor } from '../../../src/sim/containers/processes.js'
import { runtimeFor, type ContainerInstance } from '../../../src/sim/containers/runtime.js'
import { Shell } from '../../../src/sim/shell/shell.js'
import type { KubeObject } from '../../../src/types.js'

/** One started pod: its container instance (the current one) and helpers around it. */
export interface Started {
  inst: () => ContainerInstance | undefined
  pod: () => Pod
  logs: () => string[]
}

/** A cluster on a manual clock with helpers for single-container pods. */
export class CatalogueHarness {
  private constructor(readonly cluster: Cluster) {}

  /** A fixed start (2025-08-20T10:00:00Z) keeps the timestamps in golden logs stable. */
  static async open(start = Date.UTC(2025, 7, 20, 10, 0, 0)): Promise<CatalogueHarness> {
    return new CatalogueHarness(await Cluster.open({ clock: new SimClock({ speed: 0, start }) }))
  }

  close(): void {
    return this.cluster.close()
  }

  /** Creates pod `name` with one container `c` and advances the clock by `ms` (default 3 s) in 100 ms steps. */
  async start(
    name: string,
    container: { image: string; env?: { name: string; value: string }[]; command?: string[]; args?: string[] },
    ms = 3000,
  ): Promise<Started> {
    const reg = this.cluster.registry
    await reg
      .resource('', 'pods')
      .create('default', { metadata: { name }, spec: { nodeName: 'kubemock-worker', containers: [{ name: 'c', ...container }] } } as KubeObject)
    await this.advance(ms)
    const rt = runtimeFor(reg)
    return {
      inst: () => rt.current('default', name),
      pod: () => reg.resource('', 'pods').getStored('default', name)!.obj as Pod,
      logs: () => {
        const inst = rt.current('default', name)
        return inst ? rt.logs(inst.containerID).lines.map((l) => l.text) : []
      },
    }
  }

  async advance(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 100) await this.cluster.clock.advance(100)
  }

  /** Runs one shell line in the instance (bash or ash by image) and returns stdout+stderr and the exit code. */
  async sh(inst: ContainerInstance, line: string): Promise<{ out: string; code: number }> {
    const reg = this.cluster.registry
    const shell = new Shell({ registry: reg, inst, fs: fsFor(reg, inst), procs: processesFor(reg, inst), flavour: 'bash' })
    let out = ''
    const code = await shell.run(line, { out: { write: (s) => (out += s) }, err: { write: (s) => (out += s) } })
    return { out, code }
  }
}
