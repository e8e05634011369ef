import type { Net } from './Net.js';

/**
 * A reference to a blob by name, as returned by op methods. Blobs are only
 * names at build time; their values live in a session's workspace.
 *
 * @example
 * const y = net.Relu(x);   // BlobReference 'train/Relu'
 * String(y);               // 'train/Relu'
 */
export class BlobReference {
  constructor(
    readonly name: string,
    /** The net whose op produced it, when known. */
    readonly net?: Net,
  ) {}

  toString(): string {
    return this.name;
  }
}

/** A blob given by reference or by name. */
export type BlobLike = string | BlobReference;

/** The blob name of a BlobLike. */
export function blobName(b: BlobLike): string {
  return typeof b === 'string' ? b : b.name;
}
