import type { Browser, Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, pageErrors, screenshot } from '../helpers/browser.js'
import { startKubemock, type Kubemock } from '../helpers/kubemock-process.js'

describe('web view with --tls --token (headless Chromium)', () => {
  let km: Kubemock
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    ;[km, browser] = await Promise.all([startKubemock({ args: ['--tls', '--token', 's3cret'] }), launchBrowser()])
    page = await browser.newPage()
    errors = pageErrors(page)
  })
  afterAll(async () => {
    await browser?.close()
    await km?.stop()
  })

  it('the CLI prints the web view URL beside the kubectl hint', () => {
    expect(km.url).toMatch(/^https:/)
    expect(km.logs()).toContain(`web view: ${km.url}/kubemock/ui/  (it asks for the token)\n`)
  })

  it('asks for the token, keeps it for the tab, then shows the cluster live over wss with the bearer subprotocol', async () => {
    await page.goto(`${km.url}/kubemock/ui/`)
    await page.waitForSelector('#token-dialog[open]', { timeout: 10_000 })
    await screenshot(page, 'tls-token-dialog')
    await page.type('#token', 's3cret')
    await page.click('#token-form button[type=submit]')
    await page.waitForFunction(() => document.querySelectorAll('#nodes .node[data-ready="True"]').length > 0, { timeout: 10_000 })
    expect(await page.evaluate(() => sessionStorage.getItem('kubemock.token'))).toBe('s3cret')
    // A change made with kubectl arrives through the page's WebSocket watch.
    const r = await km.kubectl(['create', 'deployment', 'tls-web', '--image=nginx:1.15.12'])
    expect(r.code).toBe(0)
    await page.waitForFunction(
      () => [...document.querySelectorAll('#nodes .pod[data-pod^="default/tls-web-"]')].some((e) => (e as HTMLElement).dataset.status === 'Running'),
      { timeout: 20_000 },
    )
    await screenshot(page, 'tls-live')
    // It was a WebSocket watch (the journal shows it open, status 0), not a re-list loop.
    const watches = await page.evaluate(async () => {
      const res = await fetch('/kubemock/v1/requests?verb=watch&resource=pods', {
        headers: { Authorization: `Bearer ${sessionStorage.getItem('kubemock.token')}` },
      })
      return ((await res.json()) as { items: { query: Record<string, string>; status: number; userAgent: string }[] }).items.filter((e) =>
        e.userAgent.includes('Chrome'),
      )
    })
    expect(watches.map((w) => [w.query.watch, w.status])).toEqual([['1', 0]])
    // A reload keeps the token (sessionStorage): no dialog.
    await page.reload()
    await page.waitForSelector('[data-deployment="default/tls-web"]', { timeout: 10_000 })
    expect(await page.$('#token-dialog[open]')).toBeNull()
    // The 401s before the token was given are the only errors.
    expect(errors.filter((e) => !e.includes('401'))).toEqual([])
  })
})
