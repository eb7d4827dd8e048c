/** @module browser: headless Chromium (Debian's /usr/bin/chromium) driven by puppeteer-core, for test/browser/. */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { repoRoot } from './kubectl-path.js'

/** `$CHROMIUM` or Debian's chromium (scripts/install-test-clients.sh installs it). */
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium'

/** Where screenshots go (git-ignored): test-artifacts/browser/. */
export const artifactsDir = join(repoRoot, 'test-artifacts', 'browser')

/** Starts headless Chromium; `--no-sandbox` because CI runs as root. Self-signed certificates are accepted (--tls). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: run scripts/install-test-clients.sh (it installs Debian's chromium)`)
  return puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    acceptInsecureCerts: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1400,900'],
    defaultViewport: { width: 1400, height: 900 },
  })
}

/** Saves a full-page screenshot as test-artifacts/browser/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true })
  const path = join(artifactsDir, `${name}.png`)
  await page.screenshot({ path: path as `${string}.png` })
  return path
}

/** Collects the page's console errors and uncaught exceptions, so a test can assert there were none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url ?? ''})`)
  })
  return errors
}
