#!/usr/bin/env node
// Regenerates the hand-made malformed checkpoints of this directory and
// manifest.json (file -> the CorruptError reason the loader must give, or
// "valid"). Run: node test/checkpoint/corpus/make-corpus.mjs
// Files named crash-* are minimized fuzzer finds; they are kept as they are
// and replayed too (any clean rejection or acceptance passes).
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { assemble, buildCheckpoint, f32, i64 } from '../stformat.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const base = () =>
  buildCheckpoint({
    epoch: 3,
    node: 'node',
    blobs: [
      { name: 'w', dtype: 'float32', shape: [2, 2], data: f32([1, 2, 3, 4]) },
      { name: 'b', dtype: 'int64', shape: [1], data: i64([42]) },
      { name: 'c', dtype: 'int64', shape: [1], data: i64([7]), kind: 'counter' },
    ],
  });

const { bytes: good, header: H } = base();
const data = good.subarray(good.length - 32);
// Sample layout: b [0,8], c [8,16], w [16,32].

const sub = (from, to) => {
  if (!H.includes(from)) throw new Error(`pattern not in header: ${from}`);
  return H.replace(from, to);
};
const withHeader = (text, opts) => assemble(text, data, opts);
// A header with raw (possibly invalid UTF-8) bytes: `text` is read as latin1.
const withRawHeader = (text) => assemble(Buffer.from(text, 'latin1'), data);
const setOffsets = (h, name, a, b) => {
  const re = new RegExp(`("${name}":\\{[^}]*"data_offsets":)\\[\\d+,\\d+\\]`);
  if (!re.test(h)) throw new Error(`no tensor ${name}`);
  return h.replace(re, `$1[${a},${b}]`);
};
const u64 = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const rank33 = `[${Array(33).fill(1).join(',')}]`;
const longArray = `[${Array(100).fill(0).join(',')}]`;

const cases = {
  'valid.bin': [good, 'valid'],
  'valid-unpadded-header.bin': [withHeader(H, { pad: false }), 'valid'],
  'valid-extra-meta.bin': [withHeader(sub('"node":"node"', '"node":"node","meta:k":"v"')), 'valid'],
  'empty-file.bin': [Buffer.alloc(0), 'truncated'],
  'seven-bytes.bin': [Buffer.alloc(7), 'truncated'],
  'header-length-zero.bin': [Buffer.concat([u64(0), Buffer.from('{}')]), 'header_size'],
  'header-length-u64-max.bin': [Buffer.concat([Buffer.alloc(8, 0xff), Buffer.from('{}')]), 'header_size'],
  'header-length-over-limit.bin': [Buffer.concat([u64(16 * 1024 * 1024 + 1), Buffer.from('{}')]), 'header_size'],
  'header-length-past-file.bin': [Buffer.concat([u64(4096), Buffer.from(H)]), 'truncated'],
  'truncated-in-header.bin': [good.subarray(0, 40), 'truncated'],
  'truncated-in-data.bin': [good.subarray(0, good.length - 5), 'truncated'],
  'trailing-bytes.bin': [Buffer.concat([good, Buffer.from('x')]), 'layout'],
  'header-not-object.bin': [withHeader('[' + H.slice(1)), 'header_start'],
  'header-leading-space.bin': [withHeader(' ' + H), 'header_start'],
  'json-unterminated.bin': [withHeader(H.slice(0, -1)), 'json_syntax'],
  'json-trailing-garbage.bin': [withHeader(H + 'x'), 'json_syntax'],
  'json-trailing-comma.bin': [withHeader(sub('"node":"node"', '"node":"node",')), 'json_syntax'],
  'json-leading-zero.bin': [withHeader(sub('[2,2]', '[02,2]')), 'json_syntax'],
  'json-duplicate-key.bin': [withHeader(sub('"node":"node"', '"node":"node","node":"x"')), 'json_duplicate_key'],
  'json-duplicate-tensor.bin': [withHeader(H.slice(0, -1) + ',"w":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}'), 'json_duplicate_key'],
  'json-nesting-100000.bin': [withHeader(sub('"shape":[2,2]', '"shape":' + '['.repeat(100000) + ']'.repeat(100000))), 'json_depth'],
  'json-depth-4.bin': [withHeader(sub('[2,2]', '[[2],2]')), 'json_depth'],
  'json-float.bin': [withHeader(sub('[2,2]', '[2.0,2]')), 'json_number'],
  'json-exponent.bin': [withHeader(sub('[2,2]', '[2e0,2]')), 'json_number'],
  'json-int-over-2^53.bin': [withHeader(sub('[2,2]', '[2,9007199254740992]')), 'json_number'],
  'json-bad-utf8.bin': [withRawHeader(sub('"node":"node"', '"node":"n\xff"')), 'json_string'],
  'json-overlong-utf8.bin': [withRawHeader(sub('"node":"node"', '"node":"n\xc0\xaf"')), 'json_string'],
  'json-surrogate-utf8.bin': [withRawHeader(sub('"node":"node"', '"node":"n\xed\xa0\x80"')), 'json_string'],
  'json-lone-surrogate.bin': [withHeader(sub('"node":"node"', '"node":"\\ud800"')), 'json_string'],
  'json-raw-control-char.bin': [withHeader(sub('"node":"node"', '"node":"a\tb"')), 'json_string'],
  'json-bad-escape.bin': [withHeader(sub('"node":"node"', '"node":"\\q"')), 'json_string'],
  'json-array-too-long.bin': [withHeader(sub('[2,2]', longArray)), 'json_limit'],
  'metadata-not-object.bin': [withHeader('{"__metadata__":"x",' + H.slice(H.indexOf('}') + 2)), 'schema'],
  'metadata-non-string-value.bin': [withHeader(sub('"node":"node"', '"node":3')), 'schema'],
  'metadata-null-value.bin': [withHeader(sub('"node":"node"', '"node":null')), 'schema'],
  'tensor-not-object.bin': [withHeader(H.slice(0, -1) + ',"x":[1]}'), 'schema'],
  'tensor-missing-offsets.bin': [withHeader(sub(',"data_offsets":[16,32]', '')), 'schema'],
  'tensor-unknown-field.bin': [withHeader(sub('"dtype":"F32"', '"dtype":"F32","offset":0')), 'schema'],
  'tensor-dtype-not-string.bin': [withHeader(sub('"dtype":"F32"', '"dtype":32')), 'schema'],
  'tensor-three-offsets.bin': [withHeader(sub('[16,32]', '[16,32,48]')), 'schema'],
  'tensor-empty-name.bin': [withHeader(sub('"w":{', '"":{')), 'tensor_name'],
  'tensor-nul-in-name.bin': [withHeader(sub('"w":{', '"w\\u0000x":{')), 'tensor_name'],
  'tensor-newline-in-name.bin': [withHeader(sub('"w":{', '"w\\nx":{')), 'tensor_name'],
  'unknown-dtype.bin': [withHeader(sub('"F32"', '"F16"')), 'dtype'],
  'negative-dim.bin': [withHeader(sub('[2,2]', '[2,-2]')), 'shape'],
  'rank-33.bin': [withHeader(sub('[2,2]', rank33)), 'shape'],
  'shape-product-overflow.bin': [withHeader(sub('[2,2]', '[4294967296,4294967296,4294967296]')), 'shape'],
  'shape-offsets-disagree.bin': [withHeader(sub('[2,2]', '[2,3]')), 'offsets'],
  'dtype-offsets-disagree.bin': [withHeader(sub('"F32"', '"F64"')), 'offsets'],
  'offsets-reversed.bin': [withHeader(setOffsets(H, 'b', 8, 0)), 'offsets'],
  'offsets-overlap.bin': [withHeader(setOffsets(H, 'w', 8, 24)), 'layout'],
  'offsets-gap.bin': [withHeader(setOffsets(H, 'w', 24, 40)), 'layout'],
  'offsets-out-of-file.bin': [withHeader(setOffsets(sub('"shape":[2,2]', '"shape":[2,4]'), 'w', 16, 48)), 'truncated'],
  'offsets-not-from-zero.bin': [withHeader(setOffsets(setOffsets(setOffsets(H, 'b', 8, 16), 'c', 16, 24), 'w', 24, 40)), 'layout'],
  'metadata-missing.bin': [withHeader('{' + H.slice(H.indexOf('}') + 2)), 'metadata'],
  'metadata-wrong-format.bin': [withHeader(sub('"format":"hogwild"', '"format":"other"')), 'metadata'],
  'metadata-version-2.bin': [withHeader(sub('"format_version":"1"', '"format_version":"2"')), 'metadata'],
  'metadata-epoch-not-canonical.bin': [withHeader(sub('"epoch":"3"', '"epoch":"03"')), 'metadata'],
  'metadata-epoch-missing.bin': [withHeader(sub('"epoch":"3",', '')), 'metadata'],
  'metadata-unknown-key.bin': [withHeader(sub('"node":"node"', '"node":"node","surprise":"x"')), 'metadata'],
  'metadata-orphan-crc.bin': [withHeader(sub('"node":"node"', '"node":"node","crc32c:zz":"00000000"')), 'metadata'],
  'metadata-missing-crc.bin': [withHeader(H.replace(/"crc32c:w":"[0-9a-f]{8}",?/, '').replace(',}', '}')), 'metadata'],
  'metadata-crc-uppercase.bin': [withHeader(H.replace(/"crc32c:w":"[0-9a-f]{8}"/, '"crc32c:w":"ABCDEF12"')), 'metadata'],
  'header-crc-mismatch.bin': [withHeader(sub('"epoch":"3"', '"epoch":"4"'), { seal: false }), 'header_checksum'],
  'header-crc-dtype-swap.bin': [withHeader(sub('"dtype":"I64","shape":[1],"data_offsets":[0,8]', '"dtype":"F64","shape":[1],"data_offsets":[0,8]'), { seal: false }), 'header_checksum'],
  'tensor-crc-mismatch.bin': [Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([good[good.length - 1] ^ 1])]), 'tensor_checksum'],
  'kind-invalid-name.bin': [withHeader(sub('"kind:c":"counter"', '"kind:c":"bad kind!"')), 'kind'],
  'kind-unknown.bin': [withHeader(sub('"kind:c":"counter"', '"kind:c":"martian"')), 'kind'],
  'kind-undecodable.bin': [withHeader(sub('"kind:c":"counter"', '"kind:c":"stringList"')), 'kind'],
  'kind-empty-with-data.bin': [withHeader(sub('"kind:c":"counter"', '"kind:c":"empty"')), 'kind'],
  'bool-byte-2.bin': [
    buildCheckpoint({ blobs: [{ name: 'm', dtype: 'bool', shape: [2], data: new Uint8Array([1, 2]) }] }).bytes,
    'dtype',
  ],
};

for (const f of readdirSync(here)) if (f.endsWith('.bin') && !f.startsWith('crash-')) rmSync(join(here, f));
const manifest = {};
for (const [name, [bytes, reason]] of Object.entries(cases)) {
  writeFileSync(join(here, name), bytes);
  manifest[name] = reason;
}
writeFileSync(join(here, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`wrote ${Object.keys(cases).length} files`);
