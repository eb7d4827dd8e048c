/** @module ui/dom: a tiny element builder for the views (no framework: see README "Web view"). */

type Child = Node | string | number | null | undefined | false

/** Creates `<tag>` with attributes (`on*` functions become listeners, `class`, `data-*`, …) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | ((e: Event) => void) | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue
    if (typeof v === 'function') el.addEventListener(k.slice(2), v)
    else if (k === 'value') (el as HTMLInputElement).value = String(v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'object' ? c : String(c))
  return el
}

/** The element with this id; throws when the page lacks it (a broken index.html, not a user error). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (!el) throw new Error(`#${id} is missing from index.html`)
  return el as T
}

/** Shows an error (a Status message) in the page's message line. */
export function notify(message: string, isError = true): void {
  const el = document.getElementById('message')
  if (!el) return
  el.textContent = message
  el.className = isError ? 'error' : 'info'
}

/** Runs an action from a button and reports its failure in the message line. */
export function act(fn: () => Promise<unknown>, done?: string): () => void {
  return () => {
    fn().then(
      () => done && notify(done, false),
      (err: Error) => notify(err.message),
    )
  }
}
