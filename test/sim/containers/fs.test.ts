/** @module fs.test: the in-memory container filesystem — paths, links, errors, install from behaviour data. */
import { describe, expect, test } from 'vitest'
import { FsError, resolvePath, VirtualFS } from '../../../src/sim/containers/fs.js'

describe('VirtualFS', () => {
  const make = () => {
    let t = 1000
    const fs = new VirtualFS(() => t)
    fs.install(
      {
        '/etc/hostname': { content: 'pod\n' },
        '/run/nginx.pid': { content: '1\n', mtime: 5000 },
        '/var/run': { link: '/run' },
        '/tmp': { dir: true, mode: 0o1777 },
      },
      10,
    )
    return { fs, tick: (ms: number) => (t += ms) }
  }

  test('resolves paths with . and .. and follows links', () => {
    expect(resolvePath('../x/./y', '/a/b')).toBe('/a/x/y')
    expect(resolvePath('/../..')).toBe('/')
    const { fs } = make()
    expect(fs.readFile('/var/run/nginx.pid')).toBe('1\n')
    expect(fs.lookup('/var/run', true)?.type).toBe('link')
    expect(fs.lookup('/run/nginx.pid')?.mtime).toBe(5000)
    expect(fs.lookup('/etc')?.mtime).toBe(10)
  })

  test('write, append, mkdir -p, touch, remove, and errno texts', () => {
    const { fs, tick } = make()
    fs.writeFile('/tmp/a', 'x')
    fs.writeFile('/tmp/a', 'y', { append: true })
    expect(fs.readFile('/tmp/a')).toBe('xy')
    fs.mkdir('/tmp/d/e/f', { parents: true })
    expect(fs.list('/tmp').map(([n]) => n)).toEqual(['a', 'd'])
    tick(500)
    fs.touch('/tmp/a')
    expect(fs.lookup('/tmp/a')!.mtime).toBe(1500)
    expect(() => fs.readFile('/nope')).toThrow(new FsError('ENOENT', '/nope'))
    expect(() => fs.readFile('/tmp')).toThrow('Is a directory')
    expect(() => fs.writeFile('/nope/x', '')).toThrow('No such file or directory')
    expect(() => fs.remove('/tmp/d')).toThrow('Is a directory')
    fs.remove('/tmp/d', { recursive: true })
    expect(fs.lookup('/tmp/d')).toBeUndefined()
    fs.writeFile('/dev/null', 'gone')
    expect(fs.lookup('/dev/null')).toBeUndefined()
    expect(VirtualFS.size(fs.lookup('/tmp')!)).toBe(4096)
    expect(fs.lookup('/tmp')!.mode).toBe(0o1777)
  })
})
