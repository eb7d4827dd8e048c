/** @module process-plan.test: what runs as PID 1 — simulated programs, the image's own behaviour, StartError — and `$(VAR)` expansion. */
import { describe, expect, test } from 'vitest'
import { pid1Program, startErrorMessage } from '../../../src/sim/containers/pid1-program.js'
import { planProcess } from '../../../src/sim/containers/process-plan.js'
import { ImageCatalogue } from '../../../src/sim/images.js'

const images = new ImageCatalogue()
const plan = (image: string, c: { command?: string[]; args?: string[] }, policy = 'Always', env: Record<string, string> = {}) =>
  planProcess(images.describe(image).behaviour, { image, ...c }, policy, { commandRunMs: 2000 }, () => env)

describe('pid1Program', () => {
  test('command replaces the entrypoint, args follow it, $(VAR) expands from the environment', () => {
    expect(pid1Program({ image: 'busybox', command: ['sh', '-c', 'echo $(GREETING) $$(NOT) $(MISSING)'] }, { GREETING: 'hello' })).toEqual({
      kind: 'run',
      argv: ['sh', '-c', 'echo hello $(NOT) $(MISSING)'],
    })
    expect(pid1Program({ image: 'busybox', command: ['echo'], args: ['$(A)'] }, { A: 'x' })).toEqual({ kind: 'run', argv: ['echo', 'x'] })
  })
  test('a shell image runs its CMD; args alone replace it', () => {
    expect(pid1Program({ image: 'busybox:1.36' }, {})).toEqual({ kind: 'run', argv: ['sh'] })
    expect(pid1Program({ image: 'ubuntu:24.04' }, {})).toEqual({ kind: 'run', argv: ['/bin/bash'] })
    expect(pid1Program({ image: 'busybox', args: ['sleep', '10'] }, {})).toEqual({ kind: 'run', argv: ['sleep', '10'] })
  })
  test('servers keep the image behaviour', () => {
    expect(pid1Program({ image: 'nginx:1.27' }, {})).toEqual({ kind: 'image' })
    expect(pid1Program({ image: 'nginx', command: ['nginx', '-g', 'daemon off;'] }, {})).toEqual({ kind: 'image' })
    expect(pid1Program({ image: 'redis:7', args: ['--appendonly', 'yes'] }, {})).toEqual({ kind: 'image' })
    expect(pid1Program({ image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['netexec'] }, {})).toEqual({ kind: 'opaque', argv: ['netexec'] })
  })
  test('a program the image lacks is a StartError with runc text', () => {
    expect(pid1Program({ image: 'busybox', command: ['x'] }, {})).toEqual({ kind: 'start-error', message: startErrorMessage('x') })
    expect(startErrorMessage('x')).toBe(
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "x": executable file not found in $PATH: unknown',
    )
    expect(startErrorMessage('/app/run')).toContain('exec: "/app/run": stat /app/run: no such file or directory: unknown')
    expect(pid1Program({ image: 'nginx', command: ['ps'] }, {}).kind).toBe('start-error')
  })
  test('an image the simulation does not know keeps its secrets', () => {
    expect(pid1Program({ image: 'myorg/app:1', command: ['/server'] }, {})).toEqual({ kind: 'opaque', argv: ['/server'] })
    expect(pid1Program({ image: 'myorg/app:1', command: ['sh', '-c', 'python app.py'] }, {}).kind).toBe('opaque')
  })
})

describe('planProcess', () => {
  test('servers run until stopped', () => expect(plan('nginx:1.27', {})).toEqual({ exitCode: 0 }))
  test('simulated programs run in the shell and ignore SIGTERM', () => {
    expect(plan('busybox', {})).toEqual({ exitCode: 0, runs: true, ignoresSigterm: true })
    expect(plan('busybox', { command: ['sleep', '30'] })).toEqual({ exitCode: 0, runs: true, ignoresSigterm: true })
  })
  test('StartError for a missing program', () => expect(plan('alpine', { command: ['x'] })).toEqual({ exitCode: 128, startError: startErrorMessage('x') }))
  test('an unknown image with a command under Never is a Job: it ends after commandRunMs', () => {
    expect(plan('myorg/app', { command: ['perl', '-e', 'print 1'] }, 'Never')).toEqual({ exitAfterMs: 2000, exitCode: 0 })
    expect(plan('myorg/app', { command: ['/server'] })).toEqual({ exitCode: 0 })
  })
  test('entrypoint checks still decide for catalogue servers', () => {
    expect(plan('postgres:16', {})).toMatchObject({ exitCode: 1 })
    expect(plan('postgres:16', {}, 'Always', { POSTGRES_PASSWORD: 'x' })).toEqual({ exitCode: 0 })
  })
})
