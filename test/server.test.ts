/** @module server.test: the CLI's parsing of the safety and storage flags. */
import { describe, expect, it } from 'vitest'
import { parseCli } from '../src/server.js'

describe('parseCli', () => {
  it('takes --allowed-host and --cors-origin repeatedly, and --storage-quota-bytes as a byte count', () => {
    const o = parseCli(['--allowed-host', 'kubemock', '--allowed-host', '*', '--cors-origin', 'https://app.example', '--storage-quota-bytes', '1048576'])
    expect(o).toMatchObject({ allowedHosts: ['kubemock', '*'], corsOrigins: ['https://app.example'], storageQuotaBytes: 1048576 })
    expect(parseCli([])).toMatchObject({ allowedHosts: [], corsOrigins: [], storageQuotaBytes: undefined })
  })

  it('refuses host names with a scheme or port, and quotas that are not a positive whole number', () => {
    for (const h of ['https://kubemock', 'kubemock:6443', ''])
      expect(() => parseCli(['--allowed-host', h])).toThrow(`--allowed-host must be * or a host name without scheme or port, like kubemock, got "${h}"`)
    for (const q of ['0', '-1', '1.5', '2GiB'])
      expect(() => parseCli([`--storage-quota-bytes=${q}`])).toThrow(`--storage-quota-bytes must be a whole number of bytes greater than 0, got "${q}"`)
  })

  it('parses --authorization-mode as kube-apiserver does, naming bad modes', () => {
    expect(parseCli([])).toMatchObject({ authorizationModes: ['AlwaysAllow'] })
    expect(parseCli(['--authorization-mode', 'Node,RBAC'])).toMatchObject({ authorizationModes: ['Node', 'RBAC'] })
    expect(() => parseCli(['--authorization-mode', 'RBAC,Foo'])).toThrow(
      '--authorization-mode: authorization-mode "Foo" is not a valid mode; valid modes are AlwaysAllow, AlwaysDeny, ABAC, Webhook, RBAC, Node',
    )
    expect(() => parseCli(['--authorization-mode', 'RBAC,RBAC'])).toThrow('authorization-mode "RBAC,RBAC" has mode specified more than once')
    expect(() => parseCli(['--authorization-mode', 'Webhook'])).toThrow('authorization-mode "Webhook" is not supported by kubemock')
  })
})
