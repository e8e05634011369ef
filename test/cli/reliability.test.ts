// Regression tests of issue R1-R8 and its rough edges, end to end through the
// `hogwild` command: each one failed before the fix. Faults are injected with
// strace (killed or failing system calls at a named temp file, see
// HOGWILD_CKPT_FIXED_TMP); those cases skip loudly without strace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { writeCorpus } from '../../lib/apps/fasttext/corpus.js';
import { addonPath, compileLib, events, hasCheckpointFrom, removeCompiled, runCli, scratch, startCli, waitFor, type CliResult } from './helpers.js';

let dist: string;
let dir: string;
let train: string;
const EXIT = { ok: 0, usage: 2, input: 3, output: 4, busy: 5, diverged: 6 };
const haveStrace = spawnSync('strace', ['-V']).status === 0;
if (!haveStrace) console.warn('reliability.test: strace is not installed; the fault-injection cases are skipped (apt-get install strace)');
const FIXED = '.tmp-0-0000000000000000';

beforeAll(() => {
  dist = compileLib('reliability');
  dir = scratch('reliability');
  train = join(dir, 'train.txt');
  writeCorpus(train, join(dir, 'test.txt'), { seed: 5, train: 1500, test: 200, classes: 4 });
});
afterAll(() => {
  removeCompiled(dist);
  rmSync(dir, { recursive: true, force: true });
});

/** `hogwild supervised` on the small corpus (1 thread, dim 8). */
function supervised(out: string, extra: string[], o: { strace?: string[] } = {}): Promise<CliResult> {
  // Every epoch checkpointed: these tests break, kill and corrupt specific epochs' files.
  const args = ['supervised', '-input', train, '-output', out, '-dim', '8', '-thread', '1', '-no-progress', '-no-charts', '-checkpoint-interval', '0', ...extra];
  if (!o.strace) return runCli(dist, args, { env: { HOGWILD_CKPT_FIXED_TMP: '1' } });
  return new Promise((resolve) => {
    const child = spawn('strace', ['-f', '-qq', '-o', '/dev/null', ...o.strace!, process.execPath, join(dist, 'cli', 'main.js'), ...args], {
      env: { ...process.env, HOGWILD_NATIVE_PATH: addonPath, HOGWILD_CKPT_FIXED_TMP: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('R1: hogwild run on a job with no stop condition', () => {
  test('is refused at once (exit 3, HOGWILD_NO_STOP_CONDITION), with or without a checkpoint directory', async () => {
    const mod = join(dir, 'nostop.mjs');
    writeFileSync(
      mod,
      `import { Job, Task, ops } from ${JSON.stringify(join(dist, 'index.js'))};
export default function build() {
  const job = new Job();
  job.scope(() => new Task({ name: 'noop' }).scope(() => ops.ConstantFill([], ['z'], { shape: [1], value: 0 })));
  return job;
}
`,
    );
    const ck = join(dir, 'nostop-ckpt');
    for (const extra of [[], ['--checkpoint-dir', ck]]) {
      const r = await runCli(dist, ['run', mod, '--no-progress', ...extra], { timeoutMs: 20_000 });
      expect(r.signal, 'the run did not stop by itself').toBeNull();
      expect(r.code, r.stderr).toBe(EXIT.input);
      expect(r.stderr).toMatch(/no way to stop.*\[HOGWILD_NO_STOP_CONDITION\]/);
    }
    expect(readdirSync(ck).filter((f) => /^trainer\.\d+$/.test(f))).toEqual([]);
  });
});

describe('R2: the CLI never deletes a file it did not write', () => {
  test('a foreign fasttext.7 survives a fresh run and a resumed one; resume ignores it', async () => {
    const ud = join(dir, 'ud');
    mkdirSync(ud);
    writeFileSync(join(ud, 'fasttext.7'), 'notes\n');
    let r = await supervised(join(dir, 'r2'), ['-checkpoint-dir', ud, '-epoch', '1']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(readFileSync(join(ud, 'fasttext.7'), 'utf8')).toBe('notes\n');
    r = await supervised(join(dir, 'r2'), ['-checkpoint-dir', ud, '-epoch', '2', '-resume']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stderr).toMatch(/Resuming from the checkpoint of epoch 1/);
    expect(readFileSync(join(ud, 'fasttext.7'), 'utf8')).toBe('notes\n');
  });

  test('a foreign file at an epoch the run would write stops the run instead of being replaced', async () => {
    const ud = join(dir, 'ud-collide');
    mkdirSync(ud);
    writeFileSync(join(ud, 'fasttext.1'), 'mine\n');
    const r = await supervised(join(dir, 'r2c'), ['-checkpoint-dir', ud, '-epoch', '2']);
    expect(r.code).toBe(EXIT.output);
    expect(r.stderr).toMatch(/fasttext\.1 exists and was not written by this command/);
    expect(readFileSync(join(ud, 'fasttext.1'), 'utf8')).toBe('mine\n');
  });

  test.skipIf(!haveStrace)('a crashed run re-run without -resume keeps its checkpoints until the new run has one', async () => {
    const out = join(dir, 'r2k');
    const ck = `${out}.checkpoints`;
    expect((await supervised(out, ['-epoch', '2'])).code).toBe(EXIT.ok);
    // The re-run is killed as it creates its first checkpoint (epoch 0).
    const r = await supervised(out, ['-epoch', '2'], { strace: ['-e', 'trace=openat', '-e', 'inject=openat:signal=KILL', '-P', join(ck, `fasttext.0${FIXED}`)] });
    expect(r.signal ?? r.code, r.stderr).not.toBe(EXIT.ok);
    expect(existsSync(join(ck, 'fasttext.2'))).toBe(true);
    const again = await supervised(out, ['-epoch', '3', '-resume']);
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(again.stderr).toMatch(/Resuming from the checkpoint of epoch 2/);
  });
});

describe.skipIf(!haveStrace)('R3: the settings file is replaced atomically', () => {
  test('a kill while it is written leaves it whole: -resume works', async () => {
    const out = join(dir, 'r3');
    const ck = `${out}.checkpoints`;
    expect((await supervised(out, ['-epoch', '1'])).code).toBe(EXIT.ok);
    const file = join(ck, 'hogwild-supervised.json');
    // Killed at the first write to the settings file or to its temp file, whichever this version writes.
    const r = await supervised(out, ['-epoch', '2', '-resume'], { strace: ['-e', 'trace=write', '-e', 'inject=write:signal=KILL', '-P', file, '-P', `${file}${FIXED}`] });
    expect(r.signal ?? r.code).not.toBe(EXIT.ok);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ dim: 8 });
    const again = await supervised(out, ['-epoch', '2', '-resume']);
    expect(again.code, again.stderr).toBe(EXIT.ok);
  });
});

describe('R4: a diverged run', () => {
  test('stops with exit 6 naming the last good checkpoint; no model is written', async () => {
    const out = join(dir, 'r4');
    const r = await supervised(out, ['-epoch', '3', '-lr', '20000']);
    expect(r.code, r.stderr).toBe(EXIT.diverged);
    expect(r.stderr).toMatch(/Training diverged: the loss .*is NaN after epoch 1.*newest valid checkpoint is .*fasttext\.0 \(epoch 0\).*-resume/);
    expect(existsSync(`${out}.bin`)).toBe(false);
    expect(readdirSync(`${out}.checkpoints`).filter((f) => /^fasttext\.\d+$/.test(f))).toEqual(['fasttext.0']);
  });
});

describe('R5: one run per output', () => {
  test('a second run on a locked output exits 5 naming the holder; a stale lock is taken over', async () => {
    const out = join(dir, 'r5');
    const ck = `${out}.checkpoints`;
    mkdirSync(ck);
    // Held by a live process (this test).
    writeFileSync(join(ck, 'hogwild.lock'), `${JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), started: 'now', command: 'test' })}\n`);
    let r = await supervised(out, ['-epoch', '1']);
    expect(r.code, r.stderr).toBe(EXIT.busy);
    expect(r.stderr).toMatch(new RegExp(`in use by pid ${process.pid}`));
    expect(readdirSync(ck).filter((f) => /^fasttext\./.test(f))).toEqual([]);
    // Held by a process that is gone: stale.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(ck, 'hogwild.lock'), `${JSON.stringify({ pid: Number(dead.stdout), host: (await import('node:os')).hostname(), started: 'then', command: 'test' })}\n`);
    r = await supervised(out, ['-epoch', '1']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(existsSync(join(ck, 'hogwild.lock'))).toBe(false);
  });

  test('a second run while the first trains exits 5; the first finishes with its own checkpoints', async () => {
    const out = join(dir, 'r5b');
    const first = startCli(dist, ['supervised', '-input', train, '-output', out, '-dim', '8', '-thread', '1', '-no-progress', '-no-charts', '-epoch', '400', '-checkpoint-interval', '0']);
    await waitFor(() => hasCheckpointFrom(`${out}.checkpoints`, 1), 60_000, 'the first checkpoint');
    // Paused mid-run (its lock held), so the second run surely starts while the first one is running.
    first.child.kill('SIGSTOP');
    const second = await supervised(out, ['-epoch', '2']);
    first.child.kill('SIGCONT');
    expect(second.code, second.stderr).toBe(EXIT.busy);
    const a = await first.done;
    expect(a.code, a.stderr).toBe(EXIT.ok);
    expect(existsSync(join(`${out}.checkpoints`, 'fasttext.400'))).toBe(true);
  });
});

describe.skipIf(!haveStrace)('R6: a failed checkpoint save stops the CLI run', () => {
  test('exit 4, naming the newest valid checkpoint and -resume; -resume then finishes', async () => {
    const out = join(dir, 'r6');
    const ck = `${out}.checkpoints`;
    mkdirSync(ck);
    const r = await supervised(out, ['-epoch', '4'], { strace: ['-e', 'trace=pwrite64', '-e', 'inject=pwrite64:error=ENOSPC', '-P', join(ck, `fasttext.2${FIXED}`)] });
    expect(r.code, r.stderr).toBe(EXIT.output);
    expect(r.stderr).toMatch(/checkpoint for epoch 2.*ENOSPC.*newest valid checkpoint is .*fasttext\.1 \(epoch 1\).*-resume/);
    expect(existsSync(join(ck, 'fasttext.3'))).toBe(false);
    expect(existsSync(`${out}.bin`)).toBe(false);
    const again = await supervised(out, ['-epoch', '4', '-resume']);
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(again.stderr).toMatch(/Resuming from the checkpoint of epoch 1/);
  });
});

describe('R7: model files', () => {
  test('a symlinked model is followed; a FIFO is refused at once (exit 3)', async () => {
    const out = join(dir, 'r7');
    expect((await supervised(out, ['-epoch', '1'])).code).toBe(EXIT.ok);
    symlinkSync(`${out}.bin`, join(dir, 'link.bin'));
    let r = await runCli(dist, ['predict', join(dir, 'link.bin'), join(dir, 'test.txt')]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stdout.split('\n')[0]).toMatch(/^__label__/);
    spawnSync('mkfifo', [join(dir, 'fifo.bin')]);
    r = await runCli(dist, ['predict', join(dir, 'fifo.bin'), join(dir, 'test.txt')], { timeoutMs: 20_000 });
    expect(r.signal, 'predict hung on the FIFO').toBeNull();
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/FIFO/);
  });
});

describe('rough edges', () => {
  test('hogwild --help documents every exit status', async () => {
    const r = await runCli(dist, ['--help']);
    for (const line of [/^ {2}4 +cannot write an output/m, /^ {2}5 +the output or checkpoint directory is in use/m, /^ {2}6 +training diverged/m]) expect(r.stdout).toMatch(line);
  });

  test('hogwild run locks its checkpoint directory too', async () => {
    const ck = join(dir, 'run-locked');
    mkdirSync(ck);
    writeFileSync(join(ck, 'hogwild.lock'), `${JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), started: 'now', command: 'test' })}\n`);
    writeFileSync(join(dir, 'locked.mjs'), 'export default () => { throw new Error("not reached: the lock is checked first"); };\n');
    const r = await runCli(dist, ['run', join(dir, 'locked.mjs'), '--checkpoint-dir', ck, '--max-epochs', '1']);
    expect(r.code, r.stderr).toBe(EXIT.busy);
  });

  test('-json: an error is the last JSON event on stdout', async () => {
    const r = await runCli(dist, ['supervised', '-input', join(dir, 'missing.txt'), '-output', join(dir, 'x'), '-json']);
    expect(r.code).toBe(EXIT.input);
    expect(events(r.stdout).at(-1)).toMatchObject({ event: 'error', exitCode: EXIT.input, message: expect.stringMatching(/missing\.txt/) });
  });

  test('-resume with another -input is refused (exit 2)', async () => {
    const out = join(dir, 'input2');
    expect((await supervised(out, ['-epoch', '1'])).code).toBe(EXIT.ok);
    const other = join(dir, 'other.txt');
    writeFileSync(other, readFileSync(train));
    const r = await runCli(dist, ['supervised', '-input', other, '-output', out, '-dim', '8', '-epoch', '2', '-resume']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/trained on -input .*train\.txt, not .*other\.txt/);
  });

  test('a damaged newest checkpoint is skipped with a warning; a killed model write is swept on -resume', async () => {
    const out = join(dir, 'damaged');
    const ck = `${out}.checkpoints`;
    expect((await supervised(out, ['-epoch', '2'])).code).toBe(EXIT.ok);
    const newest = join(ck, 'fasttext.2');
    const bytes = readFileSync(newest);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(newest, bytes);
    writeFileSync(`${out}.bin.tmp-999999-00000000deadbeef`, 'half a model');
    const r = await supervised(out, ['-epoch', '3', '-resume']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stderr).toMatch(/warning: skipping .*fasttext\.2: it is damaged/);
    expect(r.stderr).toMatch(/Resuming from the checkpoint of epoch 1/);
    expect(existsSync(`${out}.bin.tmp-999999-00000000deadbeef`)).toBe(false);
  });

  test('a syntax error in a run job file is reported as file:line:col', async () => {
    const mod = join(dir, 'syntax.mjs');
    writeFileSync(mod, 'export default function () {\n  const x = ;\n}\n');
    const r = await runCli(dist, ['run', mod]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain(`${mod}:2:13: Unexpected token`);
  });

  test('a read-only or full file system exits 4 with the path (was 1); a missing input exits 3', async () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]).status !== 0) {
      console.warn('reliability.test: cannot mount a tmpfs (not root?): the EROFS/ENOSPC case is skipped');
      return;
    }
    try {
      let r = await supervised(join(dir, 'ro-out'), ['-epoch', '1', '-checkpoint-dir', join(ro, 'ck')]);
      expect(r.code, r.stderr).toBe(EXIT.output);
      expect(r.stderr).toMatch(new RegExp(`${join(ro, 'ck')}.*EROFS`));
      spawnSync('umount', [ro]);
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', ro]).status).toBe(0);
      r = await supervised(join(ro, 'full'), ['-epoch', '1', '-dim', '64']);
      expect(r.code, r.stderr).toBe(EXIT.output);
      expect(r.stderr).toMatch(/ENOSPC/);
      expect(r.stderr).toContain(ro);
    } finally {
      spawnSync('umount', [ro]);
    }
    const r = await supervised(join(dir, 'nothing'), ['-epoch', '1', '-input', join(dir, 'absent.txt')]);
    expect(r.code).toBe(EXIT.input);
  });

  test('a line longer than 1 MiB trains, as in fastText', async () => {
    const long = join(dir, 'long.txt');
    writeFileSync(long, `${readFileSync(train, 'utf8')}__label__0 ${'ab '.repeat(700_000)}\n`);
    const r = await runCli(dist, ['supervised', '-input', long, '-output', join(dir, 'long'), '-dim', '4', '-epoch', '1', '-thread', '1', '-no-progress', '-no-charts']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
  });

  test('a checkpoint directory on a missing path is created, nested', async () => {
    const ck = join(dir, 'deep', 'er', 'ckpt');
    const r = await supervised(join(dir, 'deep-out'), ['-epoch', '1', '-checkpoint-dir', ck]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(existsSync(join(ck, 'fasttext.1'))).toBe(true);
  });
});
