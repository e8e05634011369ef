/**
 * fastText's dictionary lookups for prediction, in JavaScript: a line's tokens
 * become the input rows fastText would average (word ids, their character
 * n-grams, then hashed word n-grams) and its known labels, with fastText's
 * hash, tokenizer and integer conversions.
 */
import type { FastTextBin } from './format.js';

const EOS = '</s>';
const WHITESPACE = /[ \n\r\t\v\f\0]+/;
const encoder = new TextEncoder();

/** fastText's FNV-1a over the bytes of `s`, each byte sign-extended first. */
export function fastTextHash(bytes: Uint8Array): number {
  let h = 2166136261;
  for (const b of bytes) {
    h = (h ^ ((b << 24) >> 24)) >>> 0;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

export class FastTextBinDictionary {
  private readonly _ids = new Map<string, number>();
  private readonly _subwords: Int32Array[];
  readonly nwords: number;
  readonly labelPrefix: string;

  constructor(
    private readonly _bin: Pick<FastTextBin, 'entries' | 'nwords' | 'args'>,
    labelPrefix = '__label__',
  ) {
    this.nwords = _bin.nwords;
    this.labelPrefix = labelPrefix;
    _bin.entries.forEach((e, i) => this._ids.set(e.word, i));
    this._subwords = _bin.entries.slice(0, _bin.nwords).map((e, i) => {
      const ids = [i];
      if (_bin.args.maxn > 0 && e.word !== EOS) this._computeSubwords(`<${e.word}>`, ids);
      return Int32Array.from(ids);
    });
  }

  /** Label index of `token`, or -1. */
  labelId(token: string): number {
    const id = this._ids.get(token);
    return id !== undefined && id >= this.nwords ? id - this.nwords : -1;
  }

  /** Input rows of a word's vector (fastText's getSubwords): its id and n-grams, or only n-grams when unknown. */
  subwords(word: string): number[] {
    const id = this._ids.get(word);
    if (id !== undefined && id < this.nwords) return Array.from(this._subwords[id]!);
    const out: number[] = [];
    if (word !== EOS && this._bin.args.maxn > 0) this._computeSubwords(`<${word}>`, out);
    return out;
  }

  /** Input rows and known label indices of one line, as fastText's getLine (an end-of-sentence token closes it). */
  getLine(line: string): { words: number[]; labels: number[] } {
    const words: number[] = [];
    const labels: number[] = [];
    const hashes: number[] = [];
    const tokens = line.split(WHITESPACE).filter((t) => t.length > 0);
    tokens.push(EOS);
    for (const token of tokens) {
      const id = this._ids.get(token);
      const isLabel = id === undefined ? token.startsWith(this.labelPrefix) : this._bin.entries[id]!.type === 1;
      if (!isLabel) {
        if (id === undefined) {
          if (token !== EOS) this._computeSubwords(`<${token}>`, words);
        } else if (this._bin.args.maxn <= 0) {
          words.push(id);
        } else {
          for (const s of this._subwords[id]!) words.push(s);
        }
        hashes.push(fastTextHash(encoder.encode(token)) | 0);
      } else if (id !== undefined) {
        labels.push(id - this.nwords);
      }
    }
    this._addWordNgrams(words, hashes);
    return { words, labels };
  }

  /** Character n-grams of `word` (with its < > marks), whole UTF-8 characters, minn..maxn long. */
  private _computeSubwords(word: string, out: number[]): void {
    const bytes = encoder.encode(word);
    const { minn, maxn, bucket } = this._bin.args;
    for (let i = 0; i < bytes.length; i++) {
      if ((bytes[i]! & 0xc0) === 0x80) continue;
      let j = i;
      for (let n = 1; j < bytes.length && n <= maxn; n++) {
        j++;
        while (j < bytes.length && (bytes[j]! & 0xc0) === 0x80) j++;
        if (n >= minn && !(n === 1 && (i === 0 || j === bytes.length))) {
          out.push(this.nwords + (fastTextHash(bytes.subarray(i, j)) % bucket));
        }
      }
    }
  }

  /** Word n-grams: uint64 h = h * 116049371 + hash (sign-extended), row nwords + h % bucket. */
  private _addWordNgrams(out: number[], hashes: number[]): void {
    const n = this._bin.args.wordNgrams;
    if (n <= 1) return;
    const bucket = BigInt(this._bin.args.bucket);
    const mask = (1n << 64n) - 1n;
    for (let i = 0; i < hashes.length; i++) {
      let h = BigInt.asUintN(64, BigInt(hashes[i]!));
      for (let j = i + 1; j < hashes.length && j < i + n; j++) {
        h = (h * 116049371n + BigInt.asUintN(64, BigInt(hashes[j]!))) & mask;
        out.push(this.nwords + Number(h % bucket));
      }
    }
  }
}
