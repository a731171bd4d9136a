import { constants, deflateRawSync } from 'node:zlib';

// A JSON-RPC answer that never changes except for its id (initialize, ping, tools/list, prompts/list), kept as
// bytes ready to send: the identity form and a gzip form, each built once, with the request's id spliced in.
//
// Why bytes, and why ASCII: the tools/list answer is well over 100 KB. Sent as a JS string, every answer is encoded
// to UTF-8 again; kept as a Buffer it is copied. Its few non-ASCII characters (×, −, …) would also make every
// client that decodes it (Node's fetch, the MCP SDK client) build a two-byte string twice its size, and V8 puts
// strings over 128 KB in large-object space, which made decoding the answer several times slower than its size
// suggests. `\uXXXX` escapes (RFC 8259 §7) keep the text ASCII and the parsed value identical.
//
// Why gzip can splice: deflate streams are a sequence of blocks (RFC 1951). The head (everything before the id) is
// compressed once and ended with a sync flush, which closes the last block on a byte boundary without marking it
// final; the id and the tail (a few bytes) then follow as one final stored (uncompressed) block, and the gzip
// trailer (RFC 1952: CRC-32 and length of the whole uncompressed text) is computed from the head's CRC continued
// over those bytes. The result is one ordinary gzip member: any inflater decodes it, to exactly the identity bytes.

/** Answers shorter than this are not worth compressing (gzip's own framing costs 18 bytes). */
const MIN_GZIP_BYTES = 1024;
/** A stored deflate block holds at most this many bytes. */
const MAX_STORED_BLOCK = 0xffff;

/** Gzip header (RFC 1952): magic, deflate, no flags, no mtime, no extra flags, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (the gzip one) of `bytes`, continuing from `crc` (0 to start). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** JSON text with every non-ASCII character as a `\uXXXX` escape: the same JSON value, in ASCII bytes. */
export function asciiJson(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Whether an Accept-Encoding header admits gzip (RFC 9110 §12.5.3): `gzip` or `x-gzip` with a non-zero weight, or
 * `*` with a non-zero weight when gzip is not listed. No header means identity only.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  let gzip: boolean | undefined;
  let any = false;
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weighted = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') gzip = (gzip ?? false) || weighted;
    else if (coding === '*') any = weighted;
  }
  return gzip ?? any;
}

/** The final stored block(s) holding `bytes`, for a deflate stream that a sync flush left byte-aligned. */
function storedFinalBlocks(bytes: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let at = 0;
  do {
    const chunk = bytes.subarray(at, at + MAX_STORED_BLOCK);
    at += chunk.length;
    const header = Buffer.alloc(5);
    header[0] = at >= bytes.length ? 0x01 : 0x00; // BFINAL on the last one, BTYPE 00 (stored)
    header.writeUInt16LE(chunk.length, 1);
    header.writeUInt16LE(~chunk.length & 0xffff, 3);
    blocks.push(header, chunk);
  } while (at < bytes.length);
  return blocks;
}

/** A response message kept as bytes around the spot where the id goes. */
export class CachedResponse {
  private readonly head: Buffer;
  private readonly tail: string;
  /** GZIP_HEADER + the head deflated and sync-flushed; undefined when the answer is too small to compress. */
  private readonly gzipHead: Buffer | undefined;
  private readonly headCrc: number;

  constructor(message: object) {
    // The SDK serialises the response object as is; its id is the last key. Splitting the text there makes each
    // later answer a concatenation.
    const marker = '"__billing_mcp_id__"';
    const text = asciiJson(JSON.stringify({ ...message, id: '__billing_mcp_id__' }));
    const at = text.lastIndexOf(marker);
    this.head = Buffer.from(text.slice(0, at), 'latin1');
    this.tail = text.slice(at + marker.length);
    this.headCrc = crc32(this.head);
    this.gzipHead =
      this.head.length >= MIN_GZIP_BYTES
        ? Buffer.concat([
            GZIP_HEADER,
            deflateRawSync(this.head, { level: 9, finishFlush: constants.Z_SYNC_FLUSH }),
          ])
        : undefined;
  }

  /** The answer for request `id`, gzip-encoded when `gzip` is true and the answer is large enough to gain. */
  withId(id: string | number, gzip = false): { body: Buffer; contentEncoding?: 'gzip' } {
    const rest = Buffer.from(asciiJson(`${JSON.stringify(id)}${this.tail}`), 'latin1');
    if (!gzip || !this.gzipHead) return { body: Buffer.concat([this.head, rest]) };
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(rest, this.headCrc), 0);
    trailer.writeUInt32LE((this.head.length + rest.length) >>> 0, 4);
    return {
      body: Buffer.concat([this.gzipHead, ...storedFinalBlocks(rest), trailer]),
      contentEncoding: 'gzip',
    };
  }
}
