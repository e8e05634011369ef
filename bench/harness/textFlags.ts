/**
 * The flags of one text case, identical for `hogwild supervised` and
 * `fasttext supervised` (the same file, the same meaning of every flag).
 */
export function supervisedFlags(input: string, output: string, o: { dim: number; epochs: number; lr: number; threads: number }): string[] {
  return ['-input', input, '-output', output, '-dim', String(o.dim), '-epoch', String(o.epochs), '-lr', String(o.lr), '-thread', String(o.threads), '-seed', '1'];
}
