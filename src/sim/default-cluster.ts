/** @module default-cluster: the embedded cluster a fresh kubeadm/kind install would show, as data. */
import type { KubeObject } from '../types.js'
import type { KubeVersion } from '../version.js'

/** What a scenario (or --nodes) may say about one node. */
export interface NodeInput {
  name: string
  controlPlane?: boolean
  labels?: Record<string, string>
  taints?: { key: string; value?: string; effect: string }[]
  capacity?: Record<string, string>
}

/** The default four nodes: one control plane and three workers, as kind names them. */
export function defaultNodes(workers = 3, prefix = 'kubemock'): NodeInput[] {
  const nodes: NodeInput[] = [{ name: `${prefix}-control-plane`, controlPlane: true }]
  for (let i = 1; i <= workers; i++) nodes.push({ name: i === 1 ? `${prefix}-worker` : `${prefix}-worker${i}` })
  return nodes
}

const defaultCapacity = { cpu: '4', 'ephemeral-storage': '102626232Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16Gi', pods: '110' }

/** A deterministic pseudo-UUID derived from a name (machine IDs and boot IDs stay stable across boots). */
function stableId(seed: string, dashes = true): string {
  let h = 2166136261
  let out = ''
  for (let i = 0; out.length < 32; i++) {
    h ^= seed.charCodeAt(i % seed.length) + i
    h = Math.imul(h, 16777619) >>> 0
    out += (h & 0xffff).toString(16).padStart(4, '0')
  }
  out = out.slice(0, 32)
  return dashes ? `${out.slice(0, 8)}-${out.slice(8, 12)}-${out.slice(12, 16)}-${out.slice(16, 20)}-${out.slice(20)}` : out
}

/** The Node object for one node: spec (podCIDR, taints) and a Ready status as the kubelet reports it. */
export function nodeObject(n: NodeInput, index: number, version: KubeVersion, nowISO: string): KubeObject {
  const taints = n.taints ?? (n.controlPlane ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : [])
  const capacity = { ...defaultCapacity, ...(n.capacity ?? {}) }
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': n.name,
    'kubernetes.io/os': 'linux',
    ...(n.controlPlane ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
    ...(n.labels ?? {}),
  }
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: nowISO,
    lastTransitionTime: nowISO,
    reason,
    message,
  })
  // 10.244.0.0/24, 10.244.1.0/24, … then 10.245.0.0/24 from the 257th node on.
  const cidr = `10.${244 + (index >> 8)}.${index & 255}.0/24`
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels,
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: cidr, podCIDRs: [cidr], providerID: `kind://docker/kubemock/${n.name}`, ...(taints.length ? { taints } : {}) },
    status: {
      capacity,
      allocatable: capacity,
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: nodeIP(index) },
        { type: 'Hostname', address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: stableId(`machine:${n.name}`, false),
        systemUUID: stableId(`system:${n.name}`),
        bootID: stableId(`boot:${n.name}`),
        kernelVersion: '6.8.0-52-generic',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: version.gitVersion,
        kubeProxyVersion: version.gitVersion,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      images: [],
    },
  }
}

/** Node i's InternalIP on the simulated "kind" network (172.18.0.2, .3, …). */
export function nodeIP(index: number): string {
  const n = index + 2
  return `172.18.${n >> 8}.${n & 255}`
}

/** Namespaces every cluster starts with. */
export const systemNamespaces = ['default', 'kube-node-lease', 'kube-public', 'kube-system']

/** kind's default StorageClass, as its manifest is applied at cluster creation (local-path-provisioner). */
const standardStorageClass: KubeObject = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: {
    name: 'standard',
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration':
        '{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"},"name":"standard"},"provisioner":"rancher.io/local-path","reclaimPolicy":"Delete","volumeBindingMode":"WaitForFirstConsumer"}\n',
      'storageclass.kubernetes.io/is-default-class': 'true',
    },
  },
  provisioner: 'rancher.io/local-path',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
}

/** The objects created at boot besides nodes: the `kubernetes` and `kube-dns` services, the `kubernetes` Endpoints and EndpointSlice (kube-dns's come from the controllers). */
export function systemObjects(apiServerIP: string): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.1',
        clusterIPs: ['10.96.0.1'],
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
        sessionAffinity: 'None',
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: apiServerIP }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
    },
    // The apiserver's endpoint reconciler writes this slice too (endpointsadapter.go): no manager
    // label, so the EndpointSlice controller leaves it alone; kube-dns's come from the controllers.
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [apiServerIP], conditions: { ready: true } }],
      ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
        annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
      },
    },
    structuredClone(standardStorageClass),
  ]
}

/** The node's Lease in kube-node-lease, renewed by the kubelet's heartbeat. */
export function nodeLease(nodeName: string, nodeUID: string | undefined, nowMicro: string): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: 'kube-node-lease',
      ...(nodeUID ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUID }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: nowMicro },
  }
}
