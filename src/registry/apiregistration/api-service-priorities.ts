/**
 * @module api-service-priorities: the groupPriorityMinimum / versionPriority kube-apiserver gives the
 * APIService of each built-in group-version (pkg/controlplane/apiserver/aggregator.go
 * DefaultGenericAPIServicePriorities plus the kube groups of cmd/kube-apiserver/app/aggregator.go).
 */

/** Priorities of one group-version's APIService. */
export interface APIServicePriority {
  group: number
  version: number
}

/**
 * Keyed `<group>/<version>` (core is `/v1`). A served group-version missing here gets no APIService,
 * as makeAPIService skips it ("Skipping APIService creation for …").
 */
export const apiServicePriorities: Record<string, APIServicePriority> = {
  '/v1': { group: 18000, version: 1 },
  // The aggregator's own group; kube-apiserver registers it beside the delegated ones.
  'apiregistration.k8s.io/v1': { group: 18000, version: 15 },
  'apps/v1': { group: 17800, version: 15 },
  'events.k8s.io/v1': { group: 17750, version: 15 },
  'authentication.k8s.io/v1': { group: 17700, version: 15 },
  'authentication.k8s.io/v1beta1': { group: 17700, version: 9 },
  'authorization.k8s.io/v1': { group: 17600, version: 15 },
  'autoscaling/v1': { group: 17500, version: 15 },
  'autoscaling/v2': { group: 17500, version: 30 },
  'batch/v1': { group: 17400, version: 15 },
  'certificates.k8s.io/v1': { group: 17300, version: 15 },
  'networking.k8s.io/v1': { group: 17200, version: 15 },
  'policy/v1': { group: 17100, version: 15 },
  'rbac.authorization.k8s.io/v1': { group: 17000, version: 15 },
  'storage.k8s.io/v1': { group: 16800, version: 15 },
  'apiextensions.k8s.io/v1': { group: 16700, version: 15 },
  'admissionregistration.k8s.io/v1': { group: 16700, version: 15 },
  'scheduling.k8s.io/v1': { group: 16600, version: 15 },
  'coordination.k8s.io/v1': { group: 16500, version: 15 },
  'node.k8s.io/v1': { group: 16300, version: 15 },
  'discovery.k8s.io/v1': { group: 16200, version: 15 },
  'flowcontrol.apiserver.k8s.io/v1': { group: 16100, version: 21 },
}
