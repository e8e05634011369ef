// An independent JS implementation of the checkpoint file format
// (docs/checkpoints.md), for tests: it builds files byte by byte (valid ones
// and deliberately broken ones) and reads them without the addon, so the
// native writer and loader are checked against a second implementation.

const POLY = 0x82f63b78;
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC32C of bytes (Uint8Array / Buffer). */
export function crc32c(bytes, crc = 0) {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export const hex8 = (v) => (v >>> 0).toString(16).padStart(8, '0');

export const DTYPES = { float32: ['F32', 4], float64: ['F64', 8], int32: ['I32', 4], int64: ['I64', 8], uint8: ['U8', 1], bool: ['BOOL', 1] };

/** Encodes a JSON string the way the native writer does. */
function jsonString(s) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20 || c === 0x7f) out += '\\u00' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/**
 * Builds a valid file. `blobs`: [{ name, dtype, shape, data: Uint8Array, kind? }].
 * Packed widest dtype first, then by name (like the native writer).
 * Returns { bytes, header } where header is the JSON text (unpadded).
 */
export function buildCheckpoint({ blobs, epoch = 0, node = 'node', meta = {} }) {
  const sorted = [...blobs].sort((a, b) => DTYPES[b.dtype][1] - DTYPES[a.dtype][1] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let offset = 0;
  const placed = sorted.map((b) => {
    const begin = offset;
    offset += b.data.length;
    return { ...b, begin, end: offset, crc: crc32c(b.data) };
  });
  let h = `{"__metadata__":{"format":"hogwild","format_version":"1","epoch":"${epoch}","node":${jsonString(node)},"header_crc32c":"00000000"`;
  for (const [k, v] of Object.entries(meta)) h += `,${jsonString('meta:' + k)}:${jsonString(v)}`;
  for (const b of placed) {
    h += `,${jsonString('crc32c:' + b.name)}:"${hex8(b.crc)}"`;
    if (b.kind && b.kind !== 'tensor') h += `,${jsonString('kind:' + b.name)}:${jsonString(b.kind)}`;
  }
  h += '}';
  for (const b of placed) {
    h += `,${jsonString(b.name)}:{"dtype":"${DTYPES[b.dtype][0]}","shape":[${b.shape.join(',')}],"data_offsets":[${b.begin},${b.end}]}`;
  }
  h += '}';
  const data = Buffer.concat(placed.map((b) => Buffer.from(b.data)));
  return { bytes: assemble(h, data), header: h };
}

/** Prefix + header (padded to 8) + data, with header_crc32c sealed when `seal`. */
export function assemble(headerText, data, { seal = true, pad = true } = {}) {
  let text = Buffer.isBuffer(headerText) ? headerText : Buffer.from(headerText, 'utf8');
  if (pad) {
    const padded = Math.ceil((8 + text.length) / 8) * 8 - 8;
    text = Buffer.concat([text, Buffer.alloc(padded - text.length, 0x20)]);
  }
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(text.length));
  const out = Buffer.concat([prefix, text, Buffer.from(data)]);
  if (seal) sealHeaderCrc(out);
  return out;
}

/** Re-seals header_crc32c in place (no-op when the field is absent). */
export function sealHeaderCrc(buf) {
  if (buf.length < 8) return buf;
  const n = Number(buf.readBigUInt64LE(0));
  if (n > buf.length - 8) return buf;
  const key = Buffer.from('"header_crc32c":"');
  const at = buf.subarray(8, 8 + n).indexOf(key);
  if (at < 0 || at + key.length + 8 > n) return buf;
  const digits = 8 + at + key.length;
  buf.fill(0x30, digits, digits + 8);
  buf.write(hex8(crc32c(buf.subarray(0, 8 + n))), digits, 'latin1');
  return buf;
}

/** Reads a file (no validation beyond what JSON.parse does): { header, data }. */
export function readCheckpoint(buf) {
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  return { header, data: buf.subarray(8 + n), headerBytes: n };
}

export const f32 = (values) => new Uint8Array(new Float32Array(values).buffer);
export const i64 = (values) => new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
