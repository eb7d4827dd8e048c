/**
 * @module serve-custom-resources: serves every Established CRD's resource through the registry and
 * stops when the CRD goes, as the apiextensions-apiserver's crdHandler follows its CRD informer.
 * It runs in every process (not only the controller leader), and on restart re-serves the stored CRDs.
 */
import type { Registry } from '../registry.js'
import { crdConditionTrue, type CustomResourceDefinition } from './crd-types.js'
import { customResourceDefinitionFor } from './custom-resource-definition.js'
import { webhookConverter } from './webhook-converter.js'

const group = 'apiextensions.k8s.io'
const plural = 'customresourcedefinitions'

/** What a served CRD was built from: serving is rebuilt only when this changes. */
function servingKey(crd: CustomResourceDefinition): string {
  return JSON.stringify([crd.spec, crd.status?.acceptedNames])
}

/** Starts following the CRDs; returns the stop function. */
export function serveCustomResources(registry: Registry): () => void {
  const crds = registry.find(group, plural)
  if (!crds) return () => {}
  /** CRD name → [group, plural, servingKey] of what is served for it. */
  const served = new Map<string, [string, string, string]>()
  const sync = (crd: CustomResourceDefinition, gone: boolean) => {
    const name = crd.metadata.name ?? ''
    const had = served.get(name)
    const want = !gone && crdConditionTrue(crd, 'Established') && crd.spec?.versions?.some((v) => v.served)
    if (!want) {
      if (had) {
        registry.removeDefinition(had[0], had[1])
        served.delete(name)
      }
      return
    }
    const key = servingKey(crd)
    if (had?.[2] === key) return
    const webhook = crd.spec?.conversion?.strategy === 'Webhook'
    const def = customResourceDefinitionFor(crd, {
      convert: webhook ? webhookConverter(registry, crd) : undefined,
      terminating: () => {
        const live = crds.getStored('', name)?.obj as CustomResourceDefinition | undefined
        return !!live && crdConditionTrue(live, 'Terminating')
      },
    })
    if (had && (had[0] !== def.group || had[1] !== def.plural)) registry.removeDefinition(had[0], had[1])
    // Names the naming controller accepted never collide with another CRD; a built-in of the same group and plural wins.
    const existing = registry.find(def.group, def.plural)
    if (existing && !had) return
    registry.addDefinition(def)
    served.set(name, [def.group, def.plural, key])
  }
  const { stop } = crds.watch(undefined, {}, (ev) => sync(ev.stored.obj as CustomResourceDefinition, ev.type === 'DELETED'))
  return stop
}
