import type { Browser, Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, pageErrors, screenshot } from '../helpers/browser.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'

/** Node boxes on screen: name → Ready condition, as the page draws them. */
const nodesOnScreen = (page: Page) =>
  page.$$eval('#nodes .node[data-node]', (els) =>
    Object.fromEntries(els.filter((e) => (e as HTMLElement).dataset.node).map((e) => [(e as HTMLElement).dataset.node, (e as HTMLElement).dataset.ready])),
  )

/** Pod chips on screen whose key starts with `prefix`: key → status. */
const podsOnScreen = (page: Page, prefix: string) =>
  page.$$eval(
    '#nodes .pod[data-pod]',
    (els, p) => Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.pod!, (e as HTMLElement).dataset.status!]).filter(([k]) => k.startsWith(p))),
    prefix,
  )

describe('web view at /kubemock/ui/ (headless Chromium)', () => {
  let km: Kubemock
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    ;[km, browser] = await Promise.all([startKubemock(), launchBrowser()])
    page = await browser.newPage()
    errors = pageErrors(page)
    await page.goto(`${km.url}/kubemock/ui/`)
  })
  afterAll(async () => {
    await browser?.close()
    await km?.stop()
  })

  it('lists the nodes kubectl lists, each Ready', async () => {
    const r = await km.kubectl(['get', 'nodes', '-o', 'name'])
    const names = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.replace('node/', ''))
    expect(names.length).toBeGreaterThan(0)
    await page.waitForFunction((n) => document.querySelectorAll('#nodes .node[data-ready="True"]').length === n, { timeout: 10_000 }, names.length)
    expect(await nodesOnScreen(page)).toEqual(Object.fromEntries(names.map((n) => [n, 'True'])))
    const pods = (await km.kubectl(['get', 'pods', '-A', '--no-headers'])).stdout.trim().split('\n').filter(Boolean).length
    expect(await page.$eval('#summary', (e) => e.textContent)).toBe(`${names.length} nodes (${names.length} Ready) · ${pods} pods`)
    await screenshot(page, '1-nodes')
  })

  it('a Deployment created with kubectl appears live, its pods Running inside the nodes', async () => {
    const r = await km.kubectl(['create', 'deployment', 'web', '--image=nginx:1.15.12', '--replicas=3'])
    expect(r.stdout).toBe('deployment.apps/web created\n')
    await page.waitForSelector('[data-deployment="default/web"]', { timeout: 10_000 })
    await page.waitForFunction(
      () => [...document.querySelectorAll('#nodes .pod[data-pod^="default/web-"]')].filter((e) => (e as HTMLElement).dataset.status === 'Running').length === 3,
      { timeout: 20_000 },
    )
    const ready = await page.waitForFunction(
      () => document.querySelector('[data-deployment="default/web"] [data-role=ready]')?.textContent?.trim() === '3/3 ready',
      { timeout: 20_000 },
    )
    expect(ready).toBeTruthy()
    // The revision history: one ReplicaSet, revision 1, with the image.
    expect(await page.$eval('[data-deployment="default/web"] .revisions', (e) => e.textContent)).toMatch(/^rev 1 {2}web-[a-z0-9]+ {2}3\/3 {2}nginx:1\.15\.12$/)
    // The pods on screen are the ones kubectl sees.
    const listed = (await km.kubectl(['get', 'pods', '-o', 'name'])).stdout
      .trim()
      .split('\n')
      .map((l) => `default/${l.replace('pod/', '')}`)
    expect(Object.keys(await podsOnScreen(page, 'default/web-')).sort()).toEqual(listed.sort())
    await screenshot(page, '2-deployment')
  })

  it('a pod deleted with kubectl is replaced on screen', async () => {
    const before = await podsOnScreen(page, 'default/web-')
    const victim = Object.keys(before)[0]
    const r = await km.kubectl(['delete', 'pod', victim.split('/')[1], '--wait=false'])
    expect(r.stdout).toBe(`pod "${victim.split('/')[1]}" deleted\n`)
    await page.waitForFunction(
      (gone) => {
        const pods = [...document.querySelectorAll('#nodes .pod[data-pod^="default/web-"]')] as HTMLElement[]
        return !pods.some((e) => e.dataset.pod === gone) && pods.filter((e) => e.dataset.status === 'Running').length === 3
      },
      { timeout: 20_000 },
      victim,
    )
    const after = await podsOnScreen(page, 'default/web-')
    const added = Object.keys(after).filter((k) => !(k in before))
    expect(added).toHaveLength(1)
    expect(after[added[0]]).toBe('Running')
    // The Events stream shows the ReplicaSet creating the replacement.
    await page.waitForFunction(
      (name) => document.querySelector('#events')?.textContent?.includes(`Created pod: ${name}`),
      { timeout: 10_000 },
      added[0].split('/')[1],
    )
    await screenshot(page, '3-pod-replaced')
  })

  it('the node-failure control turns a node NotReady (and kubectl agrees); recover brings it back', async () => {
    const node = Object.keys(await nodesOnScreen(page))[0]
    await page.click(`#nodes .node[data-node="${node}"] button[data-action=fail]`)
    await page.waitForFunction(() => document.querySelector('#message')?.textContent?.includes('kubelet stopped'), { timeout: 5_000 })
    // The node controller marks it NotReady after its grace period: advance the simulated clock from the page.
    await page.$eval('input[aria-label="seconds to advance"]', (e) => ((e as HTMLInputElement).value = '60'))
    await page.click('button[data-action=advance]')
    await page.waitForSelector(`#nodes .node[data-node="${node}"][data-ready="Unknown"], #nodes .node[data-node="${node}"][data-ready="False"]`, {
      timeout: 15_000,
    })
    const r = await km.kubectl(['get', 'node', node, '--no-headers'])
    expect(r.stdout.split(/\s+/)[1]).toBe('NotReady')
    expect(await page.$eval(`#nodes .node[data-node="${node}"] [data-role=ready]`, (e) => e.textContent)).toBe('NotReady')
    await screenshot(page, '4-node-notready')

    await page.click(`#nodes .node[data-node="${node}"] button[data-action=recover]`)
    await page.waitForSelector(`#nodes .node[data-node="${node}"][data-ready="True"]`, { timeout: 15_000 })
  })

  it('the pod panel shows the pod, follows its logs and runs a shell over the WebSocket exec protocol', async () => {
    const pod = Object.keys(await podsOnScreen(page, 'default/web-'))[0]
    await page.click(`#nodes .pod[data-pod="${pod}"]`)
    await page.waitForFunction((p) => document.querySelector('#panel [data-role=pod-name]')?.textContent === p, { timeout: 5_000 }, pod)
    await page.waitForFunction(() => document.querySelector('#panel [data-role=status]')?.textContent?.startsWith('Running · ready 1/1'), { timeout: 10_000 })
    // The panel follows the logs: a request through the pod proxy adds nginx's access-log line, live.
    const name = pod.split('/')[1]
    expect((await km.kubectl(['get', '--raw', `/api/v1/namespaces/default/pods/${name}/proxy/`])).stdout).toContain('Welcome to nginx!')
    const logs = (await km.kubectl(['logs', name])).stdout
    expect(logs).toMatch(/"GET \/ HTTP\/1\.1" 200/)
    await page.waitForFunction((l) => document.querySelector('#panel [data-role=logs]')?.textContent === l, { timeout: 10_000 }, logs)
    await page.click('#panel button[data-action=exec]')
    await page.waitForFunction(() => /# $/.test(document.querySelector('#panel [data-role=terminal]')?.textContent ?? ''), { timeout: 10_000 })
    await page.focus('#panel [data-role=terminal]')
    await page.keyboard.type('cat /run/nginx.pid')
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => /cat \/run\/nginx\.pid\n1\n.*# $/.test(document.querySelector('#panel [data-role=terminal]')?.textContent ?? ''), {
      timeout: 10_000,
    })
    await screenshot(page, '5-pod-panel')
    expect(errors).toEqual([])
  })
})
