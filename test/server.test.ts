/** @module server.test: the CLI's parsing of its flags, its errors and its help text. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { clusterNames, parseCli, UsageError } from '../src/server.js'

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

  it("takes --webhook-service repeatedly as the library's webhookServices, refusing anything but NS/NAME[:PORT]=https://HOST:PORT", () => {
    expect(parseCli([])).toMatchObject({ webhookServices: {} })
    const o = parseCli(['--webhook-service', 'webhook-system/my-webhook=https://127.0.0.1:9443', '--webhook-service=a/b:8443=https://[::1]:9444'])
    expect(o).toMatchObject({ webhookServices: { 'webhook-system/my-webhook': 'https://127.0.0.1:9443', 'a/b:8443': 'https://[::1]:9444' } })
    for (const v of [
      'my-webhook=https://127.0.0.1:9443',
      'ns/svc',
      'ns/svc=http://127.0.0.1:9443',
      'ns/svc=https://127.0.0.1:9443/path',
      'NS/svc=https://h:1',
      'ns/svc:70000=https://h:1',
    ])
      expect(() => parseCli(['--webhook-service', v]), v).toThrow(
        `--webhook-service wants NAMESPACE/NAME[:PORT]=https://HOST:PORT, like webhook-system/my-webhook=https://127.0.0.1:9443, got "${v}"`,
      )
    expect(() => parseCli(['--webhook-service', 'a/b=https://h:1', '--webhook-service', 'a/b=https://h:2'])).toThrow(
      '--webhook-service maps a/b twice: give it once',
    )
  })

  it('takes the --service-account-* flags (key files and issuers repeatable) and refuses an issuer URL that does not parse', () => {
    expect(parseCli([])).toMatchObject({ serviceAccountSigningKeyFile: undefined, serviceAccountKeyFiles: [], serviceAccountIssuers: [] })
    const o = parseCli([
      '--service-account-signing-key-file=sa.key',
      '--service-account-key-file=a.pub',
      '--service-account-key-file=b.pub',
      '--service-account-issuer=https://one.example',
      '--service-account-issuer=two',
    ])
    expect(o).toMatchObject({
      serviceAccountSigningKeyFile: 'sa.key',
      serviceAccountKeyFiles: ['a.pub', 'b.pub'],
      serviceAccountIssuers: ['https://one.example', 'two'],
    })
    expect(() => parseCli(['--service-account-issuer=http://[bad'])).toThrow('--service-account-issuer "http://[bad" contained a \':\' but was not a valid URL')
    expect(() => parseCli(['--service-account-issuer='])).toThrow('--service-account-issuer must be a non-empty string')
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

describe('parseCli: the kubeconfig, --clusters and bad command lines', () => {
  it('reads --kubeconfig last or before another flag as "merge into the default kubeconfig", and with a value as a PATH', () => {
    expect(parseCli(['--kubeconfig'])).toMatchObject({ kubeconfigMerge: true, kubeconfig: undefined })
    expect(parseCli(['--kubeconfig', '--port', '0'])).toMatchObject({ kubeconfigMerge: true, kubeconfig: undefined, port: 0 })
    expect(parseCli(['--kubeconfig', '--cleanup'])).toMatchObject({ kubeconfigMerge: true, cleanup: true })
    expect(parseCli(['--kubeconfig', 'out/config', '--port', '0'])).toMatchObject({ kubeconfigMerge: false, kubeconfig: 'out/config' })
    expect(parseCli(['--kubeconfig=out/config'])).toMatchObject({ kubeconfigMerge: false, kubeconfig: 'out/config' })
    expect(parseCli([])).toMatchObject({ kubeconfigMerge: false, kubeconfig: undefined, cleanup: false, kubeconfigCleanupOnExit: false, clusters: 1 })
    expect(() => parseCli(['--kubeconfig='])).toThrow('--kubeconfig= needs a path; give --kubeconfig alone to merge into ~/.kube/config')
    expect(() => parseCli(['--kubeconfig', '--kubeconfig', 'x'])).toThrow('--kubeconfig is given twice')
    expect(() => parseCli(['--cleanup'])).toThrow('--cleanup takes kubemock out of a kubeconfig: add --kubeconfig (the default file) or --kubeconfig PATH')
    expect(() => parseCli(['--kubeconfig-cleanup-on-exit'])).toThrow('--kubeconfig-cleanup-on-exit needs --kubeconfig or --kubeconfig PATH')
  })

  it('takes --clusters from 1 to 1000, with room for the consecutive ports, and in memory only', () => {
    expect(parseCli(['--clusters', '3', '--port', '0'])).toMatchObject({ clusters: 3, port: 0 })
    expect(parseCli(['--clusters', '2', '--port', '65534'])).toMatchObject({ clusters: 2 })
    for (const n of ['0', '-1', '1.5', 'two', '1001'])
      expect(() => parseCli([`--clusters=${n}`])).toThrow(`--clusters must be a whole number from 1 to 1000, got "${n}"`)
    expect(() => parseCli(['--clusters', '3', '--port', '65534'])).toThrow('--clusters 3 from --port 65534 needs ports up to 65536, above 65535')
    expect(() => parseCli(['--clusters', '2', '--data-dir', '/tmp/x'])).toThrow('--clusters serves clusters in memory: it cannot be combined with --data-dir')
    expect(() => parseCli(['--clusters', '2', '--etcd-servers', 'http://127.0.0.1:2379'])).toThrow('cannot be combined with --etcd-servers')
    expect(clusterNames(1)).toEqual(['kubemock'])
    expect(clusterNames(3)).toEqual(['kubemock-1', 'kubemock-2', 'kubemock-3'])
  })

  it('refuses unknown flags, missing values and stray arguments with a UsageError (exit 2) that points at --help', () => {
    const cases: [string[], string][] = [
      [['--foo'], 'kubemock: unknown flag --foo'],
      [['--foo=1'], 'kubemock: unknown flag --foo'],
      [['-x'], 'kubemock: unknown flag -x'],
      [['--port'], 'kubemock: flag --port needs a value'],
      [['--tls=yes'], 'kubemock: flag --tls takes no value'],
      [['serve'], 'kubemock: unexpected argument "serve" (kubemock takes flags only)'],
    ]
    for (const [argv, first] of cases) {
      let err: unknown
      try {
        parseCli(argv)
      } catch (e) {
        err = e
      }
      expect(err, argv.join(' ')).toBeInstanceOf(UsageError)
      expect((err as UsageError).exitCode).toBe(2)
      expect((err as Error).message).toBe(`${first}\nRun 'kubemock --help' to see every flag.`)
    }
    // A bad value of a known flag is no usage error: it exits 1 with the flag's own message.
    expect(() => parseCli(['--port', 'x'])).toThrow(/^--port must be/)
    expect(() => parseCli(['--port', 'x'])).not.toThrow(UsageError)
  })

  it('--help lists every flag the parser knows, each with its default', () => {
    const source = readFileSync(new URL('../src/server.ts', import.meta.url), 'utf8')
    const help = /const usage = `([^`]*)`/.exec(source)![1]
    // The parser's options, as written in parseCli (the table stays inline there so that flags
    // added on other branches merge line by line).
    const table = /parseFlags\(\{\s*args,\s*options: \{([\s\S]*?)\n {4}\},/.exec(source)![1]
    const parsed = [...table.matchAll(/^\s+'?([a-z][a-z-]*)'?: \{ type:/gm)].map((m) => m[1]).sort()
    // Each flag's block: its line and the deeper-indented lines under it.
    const blocks = new Map<string, string>()
    let current = ''
    for (const line of help.split('\n')) {
      const m = /^ {2}(?:-\w, )?--([a-z][a-z-]*)/.exec(line)
      if (m) blocks.set((current = m[1]), line)
      else if (current && /^ {4,}\S/.test(line)) blocks.set(current, `${blocks.get(current)} ${line.trim()}`)
      else current = ''
    }
    expect(parsed.length).toBeGreaterThan(20)
    expect([...blocks.keys()].sort()).toEqual(parsed)
    for (const [flag, text] of blocks) if (flag !== 'help') expect(text, `--${flag}`).toMatch(/\(default[ :]/)
    for (const flag of blocks.keys())
      expect(parseCli(['--help', `--${flag}`, ...(/^ {2}--[a-z-]+ [A-Z[]/.test(blocks.get(flag)!) ? ['1'] : [])]), flag).toBe('help')
  })
})
