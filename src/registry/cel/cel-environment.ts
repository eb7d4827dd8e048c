/**
 * @module cel-environment: the Kubernetes CEL environment on @bufbuild/cel, as kube-apiserver 1.32's
 * base environment (k8s.io/apiserver/pkg/cel/environment/base.go): the standard functions and
 * macros, the strings extension, and Kubernetes' lists, regex, urls, quantity, ip/cidr and authz
 * libraries, and optional values through their functions (the `?.` syntax is not available: the
 * parser lacks it).
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/cel/environment/base.go
 */
import { celEnv, type CelEnv, type CelFunc } from '@bufbuild/cel'
import { strings } from '@bufbuild/cel/ext'
import { authzLibrary } from './library-authz.js'
import { ipLibrary } from './library-ip.js'
import { listsLibrary } from './library-lists.js'
import { optionalLibrary } from './library-optional.js'
import { quantityLibrary } from './library-quantity.js'
import { regexLibrary } from './library-regex.js'
import { setsLibrary } from './library-sets.js'
import { urlsLibrary } from './library-urls.js'
import { kubeTypeRegistry } from './kube-types.js'

/** Every function the Kubernetes environment adds to CEL's standard ones. */
export const kubeCelFuncs: CelFunc[] = [
  ...strings,
  ...listsLibrary,
  ...regexLibrary,
  ...urlsLibrary,
  ...quantityLibrary,
  ...ipLibrary,
  ...setsLibrary,
  ...authzLibrary,
  ...optionalLibrary,
]

/** The one environment every expression is planned in (variables are bound per evaluation). */
export const kubeCelEnv: CelEnv = celEnv({ funcs: kubeCelFuncs, registry: kubeTypeRegistry })
