/** @module parse-table: reads kubectl's human-readable (tabwriter) output back into rows keyed by header. */

/** A parsed `kubectl get` table: the header names in order and one record per row. */
export interface ParsedTable {
  headers: string[]
  rows: Record<string, string>[]
}

/**
 * Parses kubectl's column output. kubectl prints through a tabwriter that pads every column to
 * its widest cell plus 3 spaces, left-aligned, so each cell starts exactly where its header
 * starts; slicing at the header offsets keeps cells that contain spaces (OS-IMAGE
 * `Debian GNU/Linux 12 (bookworm)`, NOMINATED NODE) intact. Headers themselves may contain
 * single spaces (`NOMINATED NODE`), so header names are split on runs of 2+ spaces.
 * Lines before the first non-empty line are ignored; an empty input gives no headers.
 */
export function parseTable(text: string): ParsedTable {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  if (lines.length === 0) return { headers: [], rows: [] }
  const header = lines[0]
  const starts: number[] = []
  const headers: string[] = []
  const re = /\S+(?: \S+)*/g
  for (let m = re.exec(header); m; m = re.exec(header)) {
    starts.push(m.index)
    headers.push(m[0])
  }
  const rows = lines.slice(1).map((line) => {
    const row: Record<string, string> = {}
    headers.forEach((h, i) => {
      const end = i + 1 < starts.length ? starts[i + 1] : undefined
      row[h] = line.slice(starts[i], end).trim()
    })
    return row
  })
  return { headers, rows }
}
