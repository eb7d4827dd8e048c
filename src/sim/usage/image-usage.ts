/**
 * @module image-usage: what an idle container of each image uses, as data (the usage model's
 * base). Figures are what `kubectl top pods` shows for these images on a kind cluster with
 * metrics-server installed; a range means the sample moves inside it over time (CPU
 * adds up to 1m of nanocores on top).
 */

/** A container's idle usage: CPU in millicores and working-set memory in MiB, each as [low, high]. */
export interface BaseUsage {
  cpuMilli: [number, number]
  memoryMi: [number, number]
}

/** By repository (fully qualified, as parseImageRef names it). */
export const imageUsage: Record<string, BaseUsage> = {
  'docker.io/library/nginx': { cpuMilli: [0, 1], memoryMi: [3, 7] },
  'docker.io/library/httpd': { cpuMilli: [1, 2], memoryMi: [6, 11] },
  'docker.io/library/redis': { cpuMilli: [1, 3], memoryMi: [3, 6] },
  'docker.io/library/postgres': { cpuMilli: [1, 5], memoryMi: [22, 40] },
  'docker.io/library/mysql': { cpuMilli: [3, 9], memoryMi: [360, 420] },
  'docker.io/library/mariadb': { cpuMilli: [1, 3], memoryMi: [80, 100] },
  'docker.io/library/mongo': { cpuMilli: [5, 10], memoryMi: [70, 95] },
  'docker.io/library/rabbitmq': { cpuMilli: [3, 8], memoryMi: [110, 140] },
  'docker.io/library/elasticsearch': { cpuMilli: [5, 15], memoryMi: [1100, 1300] },
  'docker.io/library/wordpress': { cpuMilli: [1, 2], memoryMi: [20, 30] },
  'docker.io/library/busybox': { cpuMilli: [0, 0], memoryMi: [0.2, 0.6] },
  'docker.io/library/alpine': { cpuMilli: [0, 0], memoryMi: [0.3, 0.8] },
  'docker.io/library/ubuntu': { cpuMilli: [0, 0], memoryMi: [0.5, 1] },
  'docker.io/library/debian': { cpuMilli: [0, 0], memoryMi: [0.5, 1] },
  'registry.k8s.io/pause': { cpuMilli: [0, 0], memoryMi: [0.2, 0.3] },
  'registry.k8s.io/coredns/coredns': { cpuMilli: [1, 2], memoryMi: [13, 17] },
  'registry.k8s.io/kube-proxy': { cpuMilli: [1, 2], memoryMi: [14, 20] },
  'registry.k8s.io/metrics-server/metrics-server': { cpuMilli: [3, 5], memoryMi: [17, 23] },
  'docker.io/kindest/kindnetd': { cpuMilli: [0, 1], memoryMi: [8, 12] },
  // kind's control-plane static pods (not pods in kubemock: their share is in nodeSystemUsage.controlPlane).
  'registry.k8s.io/kube-apiserver': { cpuMilli: [30, 50], memoryMi: [200, 260] },
  'registry.k8s.io/etcd': { cpuMilli: [15, 25], memoryMi: [30, 45] },
  'registry.k8s.io/kube-controller-manager': { cpuMilli: [10, 16], memoryMi: [45, 55] },
  'registry.k8s.io/kube-scheduler': { cpuMilli: [2, 4], memoryMi: [18, 24] },
}

/** An image the table does not know: a small server. */
export const defaultUsage: BaseUsage = { cpuMilli: [1, 3], memoryMi: [5, 12] }

/**
 * What a node uses besides its pods (kubelet, containerd, systemd; on the control plane also the
 * static pods kind runs there: kube-apiserver, etcd, controller-manager, scheduler).
 */
export const nodeSystemUsage: { controlPlane: BaseUsage; worker: BaseUsage } = {
  controlPlane: { cpuMilli: [140, 190], memoryMi: [560, 620] },
  worker: { cpuMilli: [20, 35], memoryMi: [120, 150] },
}

/** metrics-server 0.7 `--metric-resolution=15s` (components.yaml): how often it scrapes the kubelets. */
export const metricResolutionMs = 15_000
