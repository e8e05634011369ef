/**
 * Reads the checkpoint record of a fastText dictionary blob (native/data/fasttext.cc:
 * "HWFD", u32 version 1, label prefix, options, ntokens, entries), to learn the
 * labels and options of a saved model without native help.
 */
import { CheckpointCorruptError } from '../../errors/index.js';

/** What a dictionary record says. */
export interface DictionaryInfo {
  labelPrefix: string;
  minCount: number;
  minCountLabel: number;
  wordNgrams: number;
  bucket: number;
  minn: number;
  maxn: number;
  nwords: number;
  /** Label strings (prefix included), by index. */
  labels: string[];
}

export function parseDictionaryRecord(bytes: Uint8Array): DictionaryInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8');
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) throw new CheckpointCorruptError('dictionary', 'Expected a complete fastText dictionary record but it is truncated');
  };
  const u8 = () => (need(1), bytes[at++]!);
  const u32 = () => (need(4), (at += 4), view.getUint32(at - 4, true));
  const i64 = () => (need(8), (at += 8), Number(view.getBigInt64(at - 8, true)));
  const str = () => {
    const n = u32();
    need(n);
    at += n;
    return decoder.decode(bytes.subarray(at - n, at));
  };
  need(4);
  if (decoder.decode(bytes.subarray(0, 4)) !== 'HWFD') throw new CheckpointCorruptError('dictionary', 'Expected a fastText dictionary record (HWFD) but the blob holds something else');
  at = 4;
  const version = u32();
  if (version !== 1) throw new CheckpointCorruptError('dictionary', `Expected fastText dictionary record version 1 but received ${version}`);
  const labelPrefix = str();
  const [minCount, minCountLabel, wordNgrams, bucket, minn, maxn] = [i64(), i64(), i64(), i64(), i64(), i64()];
  i64(); // maxLineBytes
  u8(); // skipInvalid
  u8(); // checkUtf8
  i64(); // ntokens
  const n = u32();
  let nwords = 0;
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const word = str();
    i64();
    if (u8() === 1) labels.push(word);
    else nwords++;
  }
  return { labelPrefix, minCount: minCount!, minCountLabel: minCountLabel!, wordNgrams: wordNgrams!, bucket: bucket!, minn: minn!, maxn: maxn!, nwords, labels };
}
