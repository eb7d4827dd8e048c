/** @module controllers: the list of control loops every cluster runs, and what they are given. */
import type { Registry } from '../registry/registry.js'
import { withFieldManager } from '../registry/with-field-manager.js'
import type { ImageCatalogue } from '../sim/images.js'
import type { Clock } from '../sim/clock.js'
import type { EventRecorder } from './events.js'
import { createDaemonSetController } from './daemonset.js'
import { createGarbageCollector } from './garbage-collector.js'
import { createJobController } from './job.js'
import { createKubelet } from './kubelet.js'
import { createDeploymentController } from './deployment.js'
import { createDisruptionController } from './disruption.js'
import { createNamespaceController } from './namespace.js'
import { createNodeLifecycleController } from './node-lifecycle.js'
import { createReplicaSetController } from './replicaset.js'
import { replicationControllerKind } from './replica-kind.js'
import { createResourceQuotaController } from './resource-quota.js'
import type { Controller, ControllerManager } from './runtime.js'
import { createScheduler } from './scheduler.js'
import { createServiceAccountController } from './serviceaccount.js'
import { createServiceAccountTokenSecretsController } from './service-account-token-secrets.js'
import { createStatefulSetController } from './statefulset.js'
import { createTaintEvictionController } from './taint-eviction.js'
import { bindSimControls } from '../sim/containers/processes.js'
import { createAPIServiceAvailabilityController } from './apiservice-availability.js'
import { createCSRSigner } from './csr-signer.js'
import { createCSRCleaner } from './csr-cleaner.js'
import { createFlowSchemaDanglingController } from './flowschema-dangling.js'
import { createClusterRoleAggregationController } from './clusterrole-aggregation.js'
import type { CertificateAuthority } from '../tls.js'
import { createPersistentVolumeController } from './persistentvolume.js'
import { createLocalPathProvisioner } from './local-path-provisioner.js'
import { createVolumeProtectionController } from './volume-protection.js'
import { createHorizontalPodAutoscalerController } from './horizontal-pod-autoscaler.js'
import { createEndpointsController } from './endpoints.js'
import { createEndpointSliceController } from './endpointslice.js'
import { createEndpointSliceMirroringController } from './endpointslice-mirroring.js'
import { createOOMKiller } from './oom-killer.js'
import { createCRDNamingController } from './crd-naming.js'
import { createCRDEstablishingController } from './crd-establishing.js'
import { createCRDFinalizerController } from './crd-finalizer.js'
import { setMetricsSource } from '../sim/usage/metrics-source.js'
import { UsageModel } from '../sim/usage/usage-model.js'

/**
 * Simulation controls that controllers publish for the control API and the library
 * (filled in by the kubelet and friends at construction; absent until then).
 */
export interface SimControls {
  /** Stops a node's kubelet: no more heartbeats or pod status updates (the node goes NotReady → Unknown). */
  stopKubelet?(node: string): void
  /** Restarts a stopped kubelet. */
  startKubelet?(node: string): void
  /** Makes a running container's main process exit with `exitCode` (restartPolicy then applies). */
  exitContainer?(namespace: string, pod: string, container: string, exitCode: number, reason?: string): void
  /** Makes a container's probe endpoints fail (`healthy: false`) or answer again (sim/probes). */
  setContainerHealth?(namespace: string, pod: string, container: string, healthy: boolean): void
  [control: string]: ((...args: never[]) => unknown) | undefined
}

/** Timings (simulated milliseconds) the simulation uses; scenarios may override any of them. */
export interface SimTimings {
  [name: string]: number
}

/** What every controller factory receives. */
export interface ControllerDeps {
  registry: Registry
  clock: Clock
  events: EventRecorder
  manager: ControllerManager
  sim: SimControls
  timings: SimTimings
  /** The cluster's image catalogue (scenarios and faults change it at run time). */
  images: ImageCatalogue
  /**
   * Whether this process simulates the kubelet of a node (undefined: of every node). Over etcd
   * the nodes are sharded across the processes (controllers/kubelet-shards.ts).
   */
  ownsNode?: (node: string) => boolean
  /** The cluster CA the CSR signer issues from (`--tls` makes one; without it the signer makes its own). */
  clusterCA?: CertificateAuthority
}

/** The controllers every process runs over etcd, leader or not: the simulated kubelets (sharded by node). */
export const nodeAgentControllers = new Set(['kubelet', 'kubelet-node', 'oom-killer'])

/** Builds one or more controllers. */
export type ControllerFactory = (deps: ControllerDeps) => Controller | Controller[]

/**
 * Every control loop a cluster runs, in start order. Adding a controller = one file exporting a
 * factory + one line here.
 */
/**
 * A factory whose controllers write as `manager` (their component's name in managedFields, as
 * upstream's user agents: kube-controller-manager, kube-scheduler, kubelet, kube-apiserver).
 */
function as(manager: string, make: ControllerFactory): ControllerFactory {
  return (d) => make({ ...d, registry: withFieldManager(d.registry, manager) })
}

const kcm = 'kube-controller-manager'
const apiserver = 'kube-apiserver'

export const controllerFactories: ControllerFactory[] = [
  // First, so that every later factory finds it: the usage model behind metrics.k8s.io (and the
  // HPA, through metricsSourceFor), and the OOM killer for the memory limits it can break.
  as('kubelet', (d) => {
    const model = new UsageModel(d.registry)
    setMetricsSource(d.registry, model)
    return createOOMKiller(d, model.overrides)
  }),
  as(kcm, (d) => createNamespaceController(d)),
  as(kcm, (d) => createServiceAccountController(d)),
  as(kcm, (d) => createServiceAccountTokenSecretsController(d)),
  as(kcm, (d) => createReplicaSetController(d)),
  as(kcm, (d) => createReplicaSetController(d, replicationControllerKind)),
  as(kcm, (d) => createResourceQuotaController(d)),
  as(kcm, (d) => createDeploymentController(d)),
  as(kcm, (d) => createGarbageCollector(d)),
  as(kcm, (d) => createDaemonSetController(d)),
  as(kcm, (d) => createStatefulSetController(d)),
  as(kcm, (d) => createJobController(d)),
  as('kube-scheduler', (d) => createScheduler(d)),
  as('kubelet', (d) => createKubelet(d)),
  as(kcm, (d) => createNodeLifecycleController(d)),
  as(kcm, (d) => createTaintEvictionController(d)),
  as(kcm, (d) => createDisruptionController(d)),
  as(kcm, (d) => createEndpointsController(d)),
  as(kcm, (d) => createEndpointSliceController(d)),
  as(kcm, (d) => createEndpointSliceMirroringController(d)),
  as(apiserver, (d) => createAPIServiceAvailabilityController(d)),
  as(kcm, (d) => createCSRSigner({ ...d, ca: d.clusterCA })),
  as(kcm, (d) => createCSRCleaner(d)),
  as(apiserver, (d) => createFlowSchemaDanglingController(d)),
  as(kcm, (d) => createClusterRoleAggregationController(d)),
  as(kcm, (d) => createPersistentVolumeController(d)),
  as('local-path-provisioner', (d) => createLocalPathProvisioner(d)),
  as(kcm, (d) => createVolumeProtectionController(d)),
  as(kcm, (d) => createHorizontalPodAutoscalerController(d)),
  as(apiserver, (d) => createCRDNamingController(d)),
  as(apiserver, (d) => createCRDEstablishingController(d)),
  as(apiserver, (d) => createCRDFinalizerController(d)),
  // Container processes (`kill 1` in an exec'd shell) end containers through the kubelet's controls.
  as('kubelet', (d) => {
    bindSimControls(d.registry, d.sim)
    return []
  }),
]
