/** @module spdy/headers: SPDY/3 name/value header blocks and their zlib compression with the SPDY dictionary. */
import { inflateRawSync, inflateSync, constants as zc } from 'node:zlib'

/**
 * The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1): these
 * names, each with a 32-bit length prefix, then one run of common values without prefixes.
 */
const dictionaryWords = (
  'options head post put delete trace accept accept-charset accept-encoding accept-language accept-ranges age allow ' +
  'authorization cache-control connection content-base content-encoding content-language content-length content-location ' +
  'content-md5 content-range content-type date etag expect expires from host if-match if-modified-since if-none-match ' +
  'if-range if-unmodified-since last-modified location max-forwards pragma proxy-authenticate proxy-authorization range ' +
  'referer retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate method get ' +
  'status 200_OK version HTTP/1.1 url public set-cookie keep-alive origin'
)
  .split(' ')
  .map((w) => w.replace('_', ' '))
const dictionaryTail =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,' +
  'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.'

/** The dictionary bytes both zlib ends of a SPDY/3 connection are primed with. */
export const spdyHeaderDictionary: Buffer = Buffer.concat([
  ...dictionaryWords.map((w) => {
    const b = Buffer.alloc(4 + w.length)
    b.writeUInt32BE(w.length, 0)
    b.write(w, 4, 'latin1')
    return b
  }),
  Buffer.from(dictionaryTail, 'latin1'),
])

/** Decodes an uncompressed name/value header block (values with several entries are NUL-separated). */
export function parseHeaderBlock(block: Buffer): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  let o = 0
  const n = block.readUInt32BE(o)
  o += 4
  for (let i = 0; i < n; i++) {
    const nl = block.readUInt32BE(o)
    const name = block
      .subarray(o + 4, o + 4 + nl)
      .toString('latin1')
      .toLowerCase()
    o += 4 + nl
    const vl = block.readUInt32BE(o)
    const value = block.subarray(o + 4, o + 4 + vl).toString('latin1')
    o += 4 + vl
    out[name] = [...(out[name] ?? []), ...value.split('\0')]
  }
  return out
}

/** Encodes a name/value header block (uncompressed). */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = []
  const count = Buffer.alloc(4)
  count.writeUInt32BE(Object.keys(headers).length, 0)
  parts.push(count)
  for (const [k, v] of Object.entries(headers)) {
    for (const s of [k.toLowerCase(), v]) {
      const len = Buffer.alloc(4)
      len.writeUInt32BE(Buffer.byteLength(s, 'latin1'), 0)
      parts.push(len, Buffer.from(s, 'latin1'))
    }
  }
  return Buffer.concat(parts)
}

/** The most one header block may inflate to; a larger one ends the connection (a zlib bomb). */
export const maxHeaderBlockBytes = 1024 * 1024

/**
 * The decompressing side: one zlib stream spans every header block of the connection, and each
 * block ends at a sync flush, so it starts byte-aligned at a deflate block boundary. The first
 * block (with the zlib header) is inflated with the SPDY dictionary; each later one as raw
 * deflate whose dictionary is the last 32 KiB the stream produced (all a back-reference can
 * reach). Each block costs only its own bytes, and at most {@link maxHeaderBlockBytes} of output:
 * past that, inflate throws and the connection is dropped.
 */
export class HeaderInflater {
  private window: Buffer = spdyHeaderDictionary
  private started = false

  /** The uncompressed bytes of the next header block; throws on a corrupt or oversized block. */
  inflate(block: Buffer): Buffer {
    const opts = { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: maxHeaderBlockBytes }
    const out = this.started ? inflateRawSync(block, { ...opts, dictionary: this.window }) : inflateSync(block, { ...opts, dictionary: spdyHeaderDictionary })
    this.started = true
    // A copy of the last 32 KiB, so a big block's output is not kept alive by the window.
    const joined = Buffer.concat([this.window, out])
    this.window = joined.length > 32 * 1024 ? Buffer.from(joined.subarray(-32 * 1024)) : joined
    return out
  }
}

/**
 * The compressing side, with stored (uncompressed) deflate blocks: a valid zlib stream that needs
 * no shared window, so each block stands alone. The first block carries the zlib header (no
 * preset dictionary is declared, which Go's zlib reader accepts).
 */
export class HeaderDeflater {
  private started = false

  /** The compressed form of one header block. */
  deflate(block: Buffer): Buffer {
    const parts: Buffer[] = []
    if (!this.started) {
      parts.push(Buffer.from([0x78, 0x01]))
      this.started = true
    }
    const stored = (chunk: Buffer) => {
      const h = Buffer.alloc(5)
      h[0] = 0 // BFINAL=0, BTYPE=00 (stored); the stream never ends
      h.writeUInt16LE(chunk.length, 1)
      h.writeUInt16LE(~chunk.length & 0xffff, 3)
      parts.push(h, chunk)
    }
    for (let o = 0; o < block.length; o += 0xffff) stored(block.subarray(o, o + 0xffff))
    // End with an empty stored block, as a zlib sync flush does: Go's flate reader hands out a
    // stored block's bytes only when the next block begins, and reading past the frame's bytes
    // would leave it with a sticky unexpected-EOF error for every later header block.
    stored(Buffer.alloc(0))
    return Buffer.concat(parts)
  }
}
