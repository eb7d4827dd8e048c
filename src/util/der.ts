/** @module der: a minimal DER reader (tag, length, contents) for the few ASN.1 structures parsed without a schema library. */

/** One DER element: `tag` byte, its bounds in the buffer, and where its contents start. */
export interface DerElement {
  tag: number
  /** Offset of the tag byte. */
  start: number
  /** Offset of the contents. */
  body: number
  /** Offset just past the element. */
  end: number
}

/** Thrown for anything that is not well-formed DER (callers turn it into their own message). */
export class DerError extends Error {}

/** Reads the element at `off` (single-byte tags, definite lengths of at most 4 bytes); throws DerError. */
export function readDer(buf: Uint8Array, off: number, limit = buf.length): DerElement {
  if (off + 2 > limit) throw new DerError('truncated element')
  const tag = buf[off]
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported')
  let len = buf[off + 1]
  let body = off + 2
  if (len & 0x80) {
    const n = len & 0x7f
    if (n === 0 || n > 4 || body + n > limit) throw new DerError('bad length')
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + buf[body + i]
    body += n
  }
  const end = body + len
  if (end > limit) throw new DerError('element runs past its container')
  return { tag, start: off, body, end }
}

/** The elements directly inside a constructed element. */
export function derChildren(buf: Uint8Array, el: DerElement): DerElement[] {
  const out: DerElement[] = []
  for (let off = el.body; off < el.end; ) {
    const c = readDer(buf, off, el.end)
    out.push(c)
    off = c.end
  }
  return out
}

/** An OBJECT IDENTIFIER's contents in dotted form. */
export function derOID(buf: Uint8Array, el: DerElement): string {
  const parts: number[] = []
  let v = 0
  for (let i = el.body; i < el.end; i++) {
    v = v * 128 + (buf[i] & 0x7f)
    if (!(buf[i] & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80)
      else parts.push(v)
      v = 0
    }
  }
  return parts.join('.')
}

/** The raw bytes of an element, tag and length included. */
export function derBytes(buf: Uint8Array, el: DerElement): Buffer {
  return Buffer.from(buf.subarray(el.start, el.end))
}

/** The contents of an element. */
export function derBody(buf: Uint8Array, el: DerElement): Buffer {
  return Buffer.from(buf.subarray(el.body, el.end))
}
