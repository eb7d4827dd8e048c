/**
 * @module node-host: what a simulated node is from the inside, as a kind node (kindest/node 1.32,
 * Debian bookworm, systemd, containerd) shows it: its daemons (the host PID namespace of
 * `hostPID` pods) and its root file system (what a `hostPath` volume mounts, `/host` in
 * `kubectl debug node/NAME`). One place for these facts; nodes differ only by name, IP and role.
 */
import type { FileSpec } from './containers/behaviours.js'
import type { ProcessSeed } from './containers/processes.js'

/** The node facts the host view depends on (from the Node object). */
export interface NodeHostFacts {
  name: string
  internalIP: string
  controlPlane: boolean
  kubeletVersion: string
}

/** The Node object's facts, defaulting what it lacks. */
export function nodeHostFacts(
  node: { metadata?: { name?: string; labels?: Record<string, string> }; status?: unknown } | undefined,
  name: string,
): NodeHostFacts {
  const status = node?.status as { addresses?: { type: string; address: string }[]; nodeInfo?: { kubeletVersion?: string } } | undefined
  return {
    name,
    internalIP: status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '172.18.0.2',
    controlPlane: node?.metadata?.labels?.['node-role.kubernetes.io/control-plane'] !== undefined,
    kubeletVersion: status?.nodeInfo?.kubeletVersion ?? 'v1.32.4',
  }
}

/** The runtime's socket, as the kubelet and every shim are told. */
const containerdSocket = '/run/containerd/containerd.sock'

/** The node's own processes in PID order: systemd as init, journald, containerd, the kubelet. */
export function nodeDaemons(n: NodeHostFacts): ProcessSeed[] {
  const kubelet = [
    '/usr/bin/kubelet',
    '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
    '--kubeconfig=/etc/kubernetes/kubelet.conf',
    '--config=/var/lib/kubelet/config.yaml',
    `--container-runtime-endpoint=unix://${containerdSocket}`,
    `--node-ip=${n.internalIP}`,
    '--node-labels=',
    '--pod-infra-container-image=registry.k8s.io/pause:3.10',
    `--provider-id=kind://docker/kubemock/${n.name}`,
    '--runtime-cgroups=/system.slice/containerd.service',
  ].join(' ')
  return [
    { pid: 1, user: 'root', command: '/sbin/init', vszKb: 21708, rssKb: 12544 },
    { pid: 86, user: 'root', command: '/lib/systemd/systemd-journald', vszKb: 33248, rssKb: 15232 },
    { pid: 101, user: 'root', command: '/usr/local/bin/containerd', vszKb: 2527588, rssKb: 55720 },
    { pid: 219, user: 'root', command: kubelet, vszKb: 2637200, rssKb: 83516 },
  ]
}

/** containerd's shim of one pod sandbox (one per pod, as containerd 1.7 runs them). */
export function shimProcess(sandboxID: string): ProcessSeed {
  return {
    user: 'root',
    command: `/usr/local/bin/containerd-shim-runc-v2 -namespace k8s.io -id ${sandboxID} -address ${containerdSocket}`,
    vszKb: 1233924,
    rssKb: 12800,
  }
}

/** The sandbox's pause process. */
export const pauseProcess: ProcessSeed = { user: '65535', command: '/pause', vszKb: 1020, rssKb: 4 }

const osRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`

/** A kubeconfig as kubeadm writes them on a kind node (the credentials are not real). */
function kubeconfig(user: string, server: string): string {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    server: ${server}
  name: kubemock
contexts:
- context:
    cluster: kubemock
    user: ${user}
  name: ${user}@kubemock
current-context: ${user}@kubemock
kind: Config
preferences: {}
users:
- name: ${user}
  user:
    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem
    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem
`
}

const kubeletConfig = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
cgroupRoot: /kubelet
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: ""
evictionHard:
  imagefs.available: 0%
  nodefs.available: 0%
  nodefs.inodesFree: 0%
failSwapOn: false
imageGCHighThresholdPercent: 100
kind: KubeletConfiguration
staticPodPath: /etc/kubernetes/manifests
`

/** The node's root file system (paths from `/`), the parts worth looking at in a debug session. */
export function nodeRootFiles(n: NodeHostFacts): Record<string, FileSpec> {
  const files: Record<string, FileSpec> = {
    '/bin': { link: 'usr/bin' },
    '/sbin': { link: 'usr/sbin' },
    '/lib': { link: 'usr/lib' },
    '/boot': { dir: true },
    '/dev': { dir: true },
    '/home': { dir: true },
    '/kind/version': { content: `${n.kubeletVersion}\n` },
    '/mnt': { dir: true },
    '/opt': { dir: true },
    '/proc': { dir: true },
    '/root': { dir: true, mode: 0o700 },
    '/run/containerd': { dir: true },
    '/srv': { dir: true },
    '/sys': { dir: true },
    '/tmp': { dir: true, mode: 0o1777 },
    '/usr/bin/kubelet': { content: '', mode: 0o755 },
    '/usr/local/bin/containerd': { content: '', mode: 0o755 },
    '/usr/local/bin/containerd-shim-runc-v2': { content: '', mode: 0o755 },
    '/usr/local/bin/crictl': { content: '', mode: 0o755 },
    '/etc/os-release': { content: osRelease },
    '/etc/hostname': { content: `${n.name}\n` },
    '/etc/hosts': { content: `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${n.internalIP}\t${n.name}\n` },
    '/etc/containerd/config.toml': { content: 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "registry.k8s.io/pause:3.10"\n' },
    '/etc/kubernetes/kubelet.conf': { content: kubeconfig(`system:node:${n.name}`, 'https://kubemock-control-plane:6443'), mode: 0o600 },
    '/etc/kubernetes/manifests': { dir: true },
    '/etc/kubernetes/pki/ca.crt': {
      content: '-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrdWJlbW9j\n-----END CERTIFICATE-----\n',
    },
    '/var/lib/kubelet/config.yaml': { content: kubeletConfig },
    '/var/lib/containerd': { dir: true, mode: 0o711 },
    '/var/log/containers': { dir: true },
    '/var/log/pods': { dir: true },
    '/var/log/journal': { dir: true },
    '/var/log/alternatives.log': { content: '' },
    '/var/log/dpkg.log': { content: '' },
  }
  if (n.controlPlane) {
    const server = `https://${n.name}:6443`
    for (const [file, user] of [
      ['admin.conf', 'kubernetes-admin'],
      ['super-admin.conf', 'kubernetes-super-admin'],
      ['controller-manager.conf', 'system:kube-controller-manager'],
      ['scheduler.conf', 'system:kube-scheduler'],
    ]) {
      files[`/etc/kubernetes/${file}`] = { content: kubeconfig(user, server), mode: 0o600 }
    }
    for (const m of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      files[`/etc/kubernetes/manifests/${m}.yaml`] = {
        content: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${m}\n  namespace: kube-system\n  labels:\n    component: ${m}\n    tier: control-plane\nspec:\n  hostNetwork: true\n  priorityClassName: system-node-critical\n`,
        mode: 0o600,
      }
    }
    for (const f of ['apiserver.crt', 'apiserver.key', 'ca.key', 'front-proxy-ca.crt', 'sa.pub', 'etcd/ca.crt'])
      files[`/etc/kubernetes/pki/${f}`] = { content: '', mode: 0o600 }
  }
  return files
}
