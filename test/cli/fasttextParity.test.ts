// Output parity with Debian's `fasttext` for `test`, `predict` and
// `predict-prob`: on a file where both models make the same predictions, the
// lines are the same byte for byte (probabilities: same labels, same number
// format). Also fastText's number formatting and Meter, without the binary.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { formatG, Meter, topK } from '../../lib/apps/fasttext/metrics.js';
import { compileLib, hasFasttext, removeCompiled, runCli, scratch } from './helpers.js';

describe('fastText formatting, without the binary', () => {
  test('formatG prints like a C++ ostream with setprecision', () => {
    // Values and strings as `fasttext test` / `predict-prob` print them.
    expect(formatG(1, 3)).toBe('1');
    expect(formatG(0.5, 3)).toBe('0.5');
    expect(formatG(0.891, 3)).toBe('0.891');
    expect(formatG(0.8915, 3)).toBe('0.891'); // 0.8915 is 0.89149999… in binary
    expect(formatG(0.92449, 3)).toBe('0.924');
    expect(formatG(0.990043, 6)).toBe('0.990043');
    expect(formatG(0.00608512, 6)).toBe('0.00608512');
    expect(formatG(1.00001, 6)).toBe('1.00001');
    expect(formatG(1e-5, 6)).toBe('1e-05');
    expect(formatG(2.2943067889968916e-8, 6)).toBe('2.29431e-08');
    expect(formatG(123456789, 6)).toBe('1.23457e+08');
    expect(formatG(Number.NaN, 3)).toBe('nan');
  });

  test('Meter counts every known gold label and every prediction', () => {
    const m = new Meter();
    m.log(['__label__a'], [{ label: '__label__a', prob: 0.9 }, { label: '__label__b', prob: 0.1 }]);
    m.log(['__label__a', '__label__b'], [{ label: '__label__b', prob: 0.6 }, { label: '__label__c', prob: 0.3 }]);
    expect(m.format(2)).toBe('N\t2\nP@2\t0.5\nR@2\t0.667\n');
  });

  test('topK: best first, threshold, ties to the lower index', () => {
    const p = new Float32Array([0.1, 0.4, 0.4, 0.1]);
    expect(topK(p, 0, 4, ['a', 'b', 'c', 'd'], 2, 0).map((x) => x.label)).toEqual(['b', 'c']);
    expect(topK(p, 0, 4, ['a', 'b', 'c', 'd'], 4, 0.2).map((x) => x.label)).toEqual(['b', 'c']);
  });
});

describe.skipIf(!hasFasttext())('parity with the fasttext binary', () => {
  let dist: string;
  let dir: string;

  beforeAll(() => {
    dist = compileLib('parity');
    dir = scratch('parity');
    // Separable on purpose: every line has three words of its class, so both
    // programs predict every line right and their outputs must coincide.
    let s = 7;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const classes = ['alpha', 'beta', 'gamma', 'delta'];
    const line = (multi: boolean) => {
      const c = Math.floor(rand() * classes.length);
      const words = [...Array.from({ length: 3 }, () => `${classes[c]}${Math.floor(rand() * 6)}`), ...Array.from({ length: 5 }, () => `w${Math.floor(rand() * 40)}`)];
      words.sort(() => rand() - 0.5);
      const other = classes[(c + 1) % classes.length];
      return `__label__${classes[c]}${multi ? ` __label__${other}` : ''} ${words.join(' ')}`;
    };
    writeFileSync(join(dir, 'train.txt'), `${Array.from({ length: 800 }, () => line(false)).join('\n')}\n`);
    writeFileSync(join(dir, 'test.txt'), `${Array.from({ length: 120 }, () => line(false)).join('\n')}\n`);
    // Two labels per line, an unknown label and an unlabelled line: fastText skips the last two in test.
    writeFileSync(join(dir, 'multi.txt'), `${Array.from({ length: 60 }, () => line(true)).join('\n')}\n__label__zeta alpha1 w3\nalpha2 beta3\n`);
    const train = ['-input', join(dir, 'train.txt'), '-dim', '10', '-epoch', '10', '-lr', '0.5', '-thread', '1', '-seed', '1'];
    execFileSync('fasttext', ['supervised', ...train, '-output', join(dir, 'ft'), '-verbose', '0'], { stdio: 'pipe' });
    execFileSync(process.execPath, [join(dist, 'cli', 'main.js'), 'supervised', ...train, '-output', join(dir, 'hw'), '-verbose', '0', '--no-charts'], {
      stdio: 'pipe',
      env: { ...process.env, HOGWILD_NATIVE_PATH: process.env.HOGWILD_NATIVE_PATH ?? join(dist, '..', '..', '..', '..', '..', 'build', 'Release', 'hogwild.node') },
    });
  });
  afterAll(() => removeCompiled(dist));

  const fasttext = (args: string[]) => execFileSync('fasttext', args, { encoding: 'utf8' });
  const hogwild = async (args: string[]) => {
    const r = await runCli(dist, args);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  test.each([
    ['test.txt', '1'],
    ['test.txt', '2'],
    ['multi.txt', '1'], // gold: both labels; the unknown-label and unlabelled lines are skipped
  ])('test %s k=%s prints the same lines', async (file, k) => {
    const theirs = fasttext(['test', join(dir, 'ft.bin'), join(dir, file), k]);
    expect(theirs).toMatch(/^N\t\d+\nP@\d\t[\d.]+\nR@\d\t[\d.]+\n$/);
    expect(await hogwild(['test', join(dir, 'hw.bin'), join(dir, file), k])).toBe(theirs);
  });

  test('predict prints the same label lines', async () => {
    for (const k of ['1', '2']) {
      const theirs = fasttext(['predict', join(dir, 'ft.bin'), join(dir, 'multi.txt'), k]);
      const ours = await hogwild(['predict', join(dir, 'hw.bin'), join(dir, 'multi.txt'), k]);
      // The first label of every line is the same; the runner-up may differ between models.
      const first = (s: string) => s.split('\n').map((l) => l.split(' ')[0]);
      expect(first(ours).slice(0, 60)).toEqual(first(theirs).slice(0, 60));
      expect(ours.split('\n').map((l) => l.split(' ').length)).toEqual(theirs.split('\n').map((l) => l.split(' ').length));
    }
    expect(await hogwild(['predict', join(dir, 'hw.bin'), join(dir, 'test.txt')])).toBe(fasttext(['predict', join(dir, 'ft.bin'), join(dir, 'test.txt')]));
  });

  test('predict-prob: the same labels and number format', async () => {
    const theirs = fasttext(['predict-prob', join(dir, 'ft.bin'), join(dir, 'test.txt'), '2']).trimEnd().split('\n');
    const ours = (await hogwild(['predict-prob', join(dir, 'hw.bin'), join(dir, 'test.txt'), '2'])).trimEnd().split('\n');
    expect(ours).toHaveLength(theirs.length);
    const shape = /^(__label__\w+) (\S+) (__label__\w+) (\S+)$/;
    const number = /^(1|0\.\d{1,6}|0\.0+\d{1,6}|\d(\.\d{1,5})?e-\d\d)$/;
    ours.forEach((l, i) => {
      const [, a, pa, , pb] = shape.exec(l) ?? [];
      const [, b] = shape.exec(theirs[i]!) ?? [];
      expect(a, l).toBe(b);
      expect(pa).toMatch(number);
      expect(pb).toMatch(number);
      expect(Number(pa)).toBeGreaterThan(0.5);
    });
    for (const l of theirs) for (const p of l.split(' ').filter((_, j) => j % 2 === 1)) expect(p).toMatch(number);
  });
});
