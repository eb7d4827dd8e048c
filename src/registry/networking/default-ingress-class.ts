/** @module default-ingress-class: the DefaultIngressClass admission plugin (plugin/pkg/admission/network/defaultingressclass/admission.go). */
import { StatusError } from '../../errors.js'
import { type AdmissionPlugin, admissionLister, admissionName, isResource } from '../admission.js'
import type { Registry } from '../registry.js'
import type { Ingress } from './ingresses.js'
import { isDefaultIngressClass } from './ingressclasses.js'

/** networkingv1beta1.AnnotationIngressClass: the legacy class annotation the defaulting respects. */
const legacyClassAnnotation = 'kubernetes.io/ingress.class'

/**
 * A new Ingress with neither spec.ingressClassName nor the legacy annotation gets the class marked
 * `ingressclass.kubernetes.io/is-default-class: "true"`; two such classes refuse the create.
 */
export function createDefaultIngressClassAdmission(registry: Registry): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    admit(a) {
      if (a.operation !== 'CREATE' || !isResource(a, 'networking.k8s.io', 'ingresses')) return
      const obj = a.obj as Ingress
      if (obj.spec?.ingressClassName != null) return
      if (obj.metadata.annotations?.[legacyClassAnnotation] !== undefined) return
      const defaults = admissionLister(registry, 'networking.k8s.io', 'ingressclasses').list().filter(isDefaultIngressClass)
      if (defaults.length === 0) return
      if (defaults.length > 1) {
        const msg = `Internal error occurred: ${defaults.length} default IngressClasses were found, only 1 allowed`
        throw StatusError.forbidden(a.resource, admissionName(a), msg)
      }
      obj.spec = { ...obj.spec, ingressClassName: defaults[0].metadata.name }
    },
  }
}
