/**
 * Where a job module's syntax error is. Node's dynamic import() reports a
 * SyntaxError without a location; `node --check <file>` prints
 * `<file>:<line>`, the source line and a caret under the column.
 */
import { spawnSync } from 'node:child_process';

/** `file:line:col` of the first syntax error in `file`, or undefined (no error there, or no location printed). */
export function syntaxErrorLocation(file: string): string | undefined {
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  if (r.status === 0 || typeof r.stderr !== 'string') return undefined;
  const lines = r.stderr.split('\n');
  const at = lines.findIndex((l) => /:\d+$/.test(l));
  if (at < 0) return undefined;
  const line = /:(\d+)$/.exec(lines[at]!)![1];
  const caret = lines[at + 2]?.indexOf('^') ?? -1;
  return `${file}:${line}${caret >= 0 ? `:${caret + 1}` : ''}`;
}
