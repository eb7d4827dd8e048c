/**
 * @module metrics-server: the objects metrics-server v0.7.2's components.yaml creates in
 * kube-system (ServiceAccount, Service, Deployment, APIService; its RBAC objects are not served
 * here), as data, pinned to the control-plane node. The API it registers is served in-process (src/registry/metrics/).
 */
import type { KubeObject } from '../types.js'

/** The image components.yaml v0.7.2 runs. */
export const metricsServerImage = 'registry.k8s.io/metrics-server/metrics-server:v0.7.2'

const labels = { 'k8s-app': 'metrics-server' }
const meta = (name: string) => ({ name, namespace: 'kube-system', labels })

/** Every object, in components.yaml's order. */
export function metricsServerObjects(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('metrics-server') },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('metrics-server'),
      spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }], selector: labels },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('metrics-server'),
      spec: {
        selector: { matchLabels: labels },
        strategy: { rollingUpdate: { maxUnavailable: 0 } },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                args: [
                  '--cert-dir=/tmp',
                  '--secure-port=10250',
                  '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
                  '--kubelet-use-node-status-port',
                  '--metric-resolution=15s',
                ],
                image: metricsServerImage,
                imagePullPolicy: 'IfNotPresent',
                livenessProbe: { failureThreshold: 3, httpGet: { path: '/livez', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10 },
                name: 'metrics-server',
                ports: [{ containerPort: 10250, name: 'https', protocol: 'TCP' }],
                readinessProbe: {
                  failureThreshold: 3,
                  httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' },
                  initialDelaySeconds: 20,
                  periodSeconds: 10,
                },
                resources: { requests: { cpu: '100m', memory: '200Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  runAsUser: 1000,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                volumeMounts: [{ mountPath: '/tmp', name: 'tmp-dir' }],
              },
            ],
            // Pinned to the control-plane node (components.yaml leaves it to the scheduler): draining a
            // worker then goes as on a kind cluster without metrics-server (its emptyDir would block it).
            nodeSelector: { 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': '' },
            tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
            priorityClassName: 'system-cluster-critical',
            serviceAccountName: 'metrics-server',
            volumes: [{ emptyDir: {}, name: 'tmp-dir' }],
          },
        },
      },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io', labels },
      spec: {
        group: 'metrics.k8s.io',
        groupPriorityMinimum: 100,
        insecureSkipTLSVerify: true,
        service: { name: 'metrics-server', namespace: 'kube-system' },
        version: 'v1beta1',
        versionPriority: 100,
      },
    },
  ]
}
