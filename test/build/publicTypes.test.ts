// The published declarations (tsc with stripInternal) must compile for a
// consumer: an `@internal` tag on a type that a public signature names, or on
// a file's header comment (it attaches to the first statement, often an
// import), strips a declaration that the package still references.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const dir = mkdtempSync(join(tmpdir(), 'hogwild-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], cwd = root): string {
  try {
    execFileSync(tsc, args, { cwd, stdio: 'pipe' });
    return '';
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    return `${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`;
  }
}

test('the emitted .d.ts files compile in a strict consumer', () => {
  const types = join(dir, 'types');
  expect(run(['-p', 'tsconfig.json', '--emitDeclarationOnly', '--declarationMap', 'false', '--outDir', types])).toBe('');
  const consumer = join(dir, 'consumer.ts');
  writeFileSync(
    consumer,
    [
      `import * as hogwild from ${JSON.stringify(join(types, 'index.js'))};`,
      'const job: hogwild.Job = new hogwild.Job();',
      'const session: hogwild.LocalSession = new hogwild.LocalSession();',
      'export const used = [job, session, hogwild.ops, hogwild.pipe, hogwild.JobRunner];',
      '',
    ].join('\n'),
  );
  const errors = run([
    '--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'ES2022', '--module', 'NodeNext',
    '--moduleResolution', 'NodeNext', '--lib', 'ES2023,ESNext.Disposable', '--types', 'node',
    '--typeRoots', join(root, 'node_modules', '@types'), consumer,
  ], dir);
  expect(errors).toBe('');
}, 120_000);
