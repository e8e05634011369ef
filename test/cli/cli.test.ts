// The `hogwild` command end to end, spawned as a user runs it: every command
// on small generated files, the accuracy band of supervised + test, resume
// after SIGKILL and after Ctrl-C, and one clear stderr line with a meaningful
// exit status for bad flags, missing files and malformed input.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { writeCorpus } from '../../lib/apps/fasttext/corpus.js';
import { compileLib, events, hasCheckpointFrom, removeCompiled, runCli, scratch, startCli, waitFor } from './helpers.js';

let dist: string;
let dir: string;
const exits = { ok: 0, failure: 1, usage: 2, input: 3, interrupted: 130 };

beforeAll(() => {
  dist = compileLib('cli');
  dir = scratch('cli');
  writeCorpus(join(dir, 'train.txt'), join(dir, 'test.txt'), { seed: 3, train: 6000, test: 600, classes: 6 });
});
afterAll(() => removeCompiled(dist));

/** One line on stderr, no stack trace. */
function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('help and usage', () => {
  test('hogwild --help lists the commands and the exit statuses', async () => {
    const r = await runCli(dist, ['--help']);
    expect(r.code).toBe(exits.ok);
    for (const c of ['demo', 'supervised', 'test', 'predict', 'predict-prob', 'run']) expect(r.stdout).toContain(`  ${c} `);
    expect(r.stdout).toMatch(/130\s+stopped by Ctrl-C/);
  });

  test.each(['demo', 'supervised', 'test', 'predict', 'predict-prob', 'run'])('hogwild %s --help', async (cmd) => {
    const r = await runCli(dist, [cmd, '--help']);
    expect(r.code).toBe(exits.ok);
    expect(r.stdout).toContain(`Usage:\n  hogwild ${cmd}`);
    expect(r.stdout).toMatch(/ -{1,2}debug /);
  });

  test('supervised --help shows fastText-style flags; run --help says how to run TypeScript', async () => {
    expect((await runCli(dist, ['supervised', '-h'])).stdout).toMatch(/-wordNgrams <int>\s+max length of word n-grams \[1\]/);
    expect((await runCli(dist, ['help', 'run'])).stdout).toMatch(/Node 20 cannot import TypeScript/);
  });

  test('--version prints the package version', async () => {
    const r = await runCli(dist, ['--version']);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(join(dist, '..', '..', '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version);
  });
});

describe('supervised, test, predict', () => {
  test('supervised then test reaches the expected accuracy band; files are written next to the model', async () => {
    const out = join(dir, 'model');
    const r = await runCli(dist, ['supervised', '-input', join(dir, 'train.txt'), '-output', out, '-dim', '16', '-epoch', '5', '-lr', '0.5', '-thread', '2', '-charts'], { cwd: dir });
    expect(r.code, r.stderr).toBe(exits.ok);
    expect(r.stderr).toMatch(/^Read 0M words\nNumber of words: +\d+\nNumber of labels: 6\n/);
    expect(r.stderr).toMatch(/epoch 5\/5 \| loss 0\.\d{4} \| [\d.]+[kM]? tokens\/s/); // plain lines: stderr is not a TTY
    expect(r.stdout).toMatch(/^Trained epochs 1-5 of 5 in [\d.]+ s, [\d.]+[kM]? tokens\/s with 2 threads\nFinal loss: 0\.\d{4}\nModel: .*model\.bin\n/);
    for (const f of ['model.bin', 'model.train.svg', 'model.checkpoints/fasttext.5']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'model.train.svg'), 'utf8')).toMatch(/^<svg[\s\S]*Training loss per epoch/);

    const t = await runCli(dist, ['test', `${out}.bin`, join(dir, 'test.txt')]);
    expect(t.code, t.stderr).toBe(exits.ok);
    const m = /^N\t600\nP@1\t(0\.\d+)\nR@1\t(0\.\d+)\n$/.exec(t.stdout);
    expect(m, t.stdout).not.toBeNull();
    const p1 = Number(m![1]);
    expect(p1).toBeGreaterThan(0.75);
    expect(p1).toBeLessThan(0.99);
    // The .bin suffix may be left out, as with fastText's -output.
    expect((await runCli(dist, ['test', out, join(dir, 'test.txt')])).stdout).toBe(t.stdout);
    const json = await runCli(dist, ['test', out, join(dir, 'test.txt'), '1', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ examples: 600, k: 1, precision: p1 === 1 ? 1 : expect.closeTo(p1, 3), recall: expect.any(Number) });
  });

  test('-hot-rows: 2 threads with per-thread copies of the frequent words\' rows reach the same band', async () => {
    const out = join(dir, 'hot');
    const r = await runCli(dist, ['supervised', '-input', join(dir, 'train.txt'), '-output', out, '-dim', '16', '-epoch', '5', '-lr', '0.5', '-thread', '2', '-hot-rows', '64'], { cwd: dir });
    expect(r.code, r.stderr).toBe(exits.ok);
    // Charts only with -charts, as fastText writes nothing but the model.
    expect(existsSync(`${out}.train.svg`)).toBe(false);
    const t = await runCli(dist, ['test', `${out}.bin`, join(dir, 'test.txt'), '1', '--json']);
    const p1 = (JSON.parse(t.stdout) as { precision: number }).precision;
    expect(p1).toBeGreaterThan(0.75);
    expect(p1).toBeLessThan(0.99);
  });

  test('predict, predict-prob, k, threshold and stdin', async () => {
    const model = join(dir, 'model.bin');
    const lines = readFileSync(join(dir, 'test.txt'), 'utf8').split('\n').slice(0, 5);
    const input = `${lines.join('\n')}\n`;
    const p = await runCli(dist, ['predict', model, '-'], { input });
    expect(p.code, p.stderr).toBe(exits.ok);
    expect(p.stdout.split('\n').slice(0, -1)).toHaveLength(5);
    for (const l of p.stdout.trimEnd().split('\n')) expect(l).toMatch(/^__label__\w+$/);
    const pp = await runCli(dist, ['predict-prob', model, '-', '3'], { input });
    const prob = String.raw`(1|0\.\d+|\d(\.\d+)?e-\d\d)`;
    for (const l of pp.stdout.trimEnd().split('\n')) expect(l).toMatch(new RegExp(`^__label__\\w+ ${prob}( __label__\\w+ ${prob}){2}$`));
    // predict's labels are predict-prob's first labels
    expect(pp.stdout.trimEnd().split('\n').map((l) => l.split(' ')[0])).toEqual(p.stdout.trimEnd().split('\n'));
    // A threshold of 1 keeps nothing: one empty line per input line.
    expect((await runCli(dist, ['predict', model, '-', '2', '1'], { input })).stdout).toBe('\n'.repeat(5));
    // Unlabelled and empty lines get predictions too.
    const free = await runCli(dist, ['predict', model, '-'], { input: 'spo1 spo2\n\nunknownword\n' });
    expect(free.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  test('supervised --json streams events ending with done', async () => {
    const r = await runCli(dist, ['supervised', '-input', join(dir, 'train.txt'), '-output', join(dir, 'j'), '-dim', '8', '-epoch', '2', '-thread', '1', '--json', '--no-charts']);
    expect(r.code, r.stderr).toBe(exits.ok);
    expect(r.stderr).toBe('');
    const ev = events(r.stdout);
    expect(ev[0]).toMatchObject({ event: 'start', command: 'supervised', labels: 6, epochs: 2, threads: 1 });
    // The encoded corpus (int32 labels, lengths and ids, one word id and "</s>" at least per line).
    expect(ev[0].corpusBytes).toBeGreaterThanOrEqual(4 * 4 * (ev[0].examples as number));
    expect(ev.filter((e) => e.event === 'epoch').map((e) => e.epoch)).toEqual([1, 2]);
    // A short run is checkpointed once, after its last epoch (-checkpoint-interval, 60 s by default).
    expect(ev.filter((e) => e.event === 'checkpoint').map((e) => e.epoch)).toEqual([2]);
    expect(ev.at(-1)).toMatchObject({ event: 'done', epochs: 2, epochsRun: 2, resumedFrom: null, model: join(dir, 'j.bin') });
  });

  test('-checkpoint-interval 0 checkpoints every epoch and the initial state, as Caffe2\'s JobRunner', async () => {
    const r = await runCli(dist, ['supervised', '-input', join(dir, 'train.txt'), '-output', join(dir, 'every'), '-dim', '8', '-epoch', '3', '-thread', '1', '--json', '-checkpoint-interval', '0']);
    expect(r.code, r.stderr).toBe(exits.ok);
    expect(events(r.stdout).filter((e) => e.event === 'checkpoint').map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    const bad = await runCli(dist, ['supervised', '-input', join(dir, 'train.txt'), '-output', join(dir, 'every'), '-checkpoint-interval', '-1']);
    expect(bad.code).toBe(exits.usage);
    expect(bad.stderr).toMatch(/checkpoint-interval/);
  });
});

describe('resume', () => {
  test('-resume after SIGKILL mid-training finishes with the same epoch count', async () => {
    const out = join(dir, 'killed');
    const ckpt = join(dir, 'killed.checkpoints');
    const args = ['supervised', '-input', join(dir, 'train.txt'), '-output', out, '-dim', '16', '-epoch', '200', '-lr', '0.2', '-thread', '2', '--json', '--no-charts', '-checkpoint-interval', '0'];
    const run = startCli(dist, args);
    await waitFor(() => hasCheckpointFrom(ckpt, 2) || run.child.exitCode !== null, 60_000, 'a checkpoint of epoch 2 or later');
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(`${out}.bin`)).toBe(false);

    const r = await runCli(dist, [...args, '-resume']);
    expect(r.code, r.stderr).toBe(exits.ok);
    const ev = events(r.stdout);
    const done = ev.at(-1)!;
    expect(done).toMatchObject({ event: 'done', epochs: 200 });
    expect(done.resumedFrom).toBeGreaterThanOrEqual(2);
    expect((done.epochsRun as number) + (done.resumedFrom as number)).toBe(200);
    expect(ev.filter((e) => e.event === 'epoch').map((e) => e.epoch)).toEqual(Array.from({ length: done.epochsRun as number }, (_, i) => (done.resumedFrom as number) + 1 + i));
    const t = await runCli(dist, ['test', `${out}.bin`, join(dir, 'test.txt')]);
    expect(Number(/P@1\t([\d.]+)/.exec(t.stdout)![1])).toBeGreaterThan(0.75);
    // The per-epoch history (what the charts plot) covers the killed run's epochs too.
    const history = JSON.parse(readFileSync(join(ckpt, 'fasttext.history.json'), 'utf8')) as { epoch: number; loss: number }[];
    expect(history.map((p) => p.epoch)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  test('Ctrl-C finishes the epoch, checkpoints it, exits 130; -resume continues', async () => {
    const out = join(dir, 'sigint');
    const args = ['supervised', '-input', join(dir, 'train.txt'), '-output', out, '-dim', '16', '-epoch', '40', '-thread', '2', '--no-charts'];
    const run = startCli(dist, args);
    await waitFor(() => /epoch 1\/40/.test(run.stderr()) || run.child.exitCode !== null, 60_000, 'the first epoch');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(exits.interrupted);
    expect(r.stderr).toMatch(/Ctrl-C: finishing this epoch and saving a checkpoint/);
    const stopped = Number(/Stopped after epoch (\d+) of 40; checkpoints are in .*sigint\.checkpoints\. Continue with the same command plus -resume\./.exec(r.stderr)?.[1]);
    expect(stopped).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(dir, 'sigint.checkpoints', `fasttext.${stopped}`))).toBe(true);
    expect(existsSync(`${out}.bin`)).toBe(false);

    const again = await runCli(dist, [...args, '-resume', '-epoch', '40']);
    expect(again.code, again.stderr).toBe(exits.ok);
    expect(again.stderr).toContain(`Resuming from the checkpoint of epoch ${stopped}`);
    expect(again.stdout).toContain(`Trained epochs ${stopped + 1}-40 of 40 (resumed from epoch ${stopped})`);
  });

  test('-resume refuses checkpoints of another model shape', async () => {
    const r = await runCli(dist, ['supervised', '-input', join(dir, 'train.txt'), '-output', join(dir, 'j'), '-dim', '9', '-epoch', '2', '-resume']);
    expect(r.code).toBe(exits.usage);
    expectOneLine(r.stderr, /cannot resume: the checkpoints in .*j\.checkpoints were trained with -dim 8, not 9/);
  });
});

describe('errors: one line on stderr, a meaningful exit status', () => {
  const cases: [string, () => string[], number, RegExp][] = [
    ['unknown command', () => ['frobnicate'], exits.usage, /^hogwild: unknown command 'frobnicate'/],
    ['unknown flag', () => ['supervised', '-input', join(dir, 'train.txt'), '-output', 'x', '-bogus', '1'], exits.usage, /unknown option '-bogus' for 'hogwild supervised'/],
    ['malformed number', () => ['supervised', '-input', 'a', '-output', 'x', '-dim', 'abc'], exits.usage, /expected an integer in \[1, 65536\] for -dim but received 'abc'/],
    ['negative learning rate', () => ['supervised', '-input', 'a', '-output', 'x', '-lr', '-1'], exits.usage, /expected a number > 0 for -lr but received '-1'/],
    ['flag without value', () => ['supervised', '-output', 'x', '-input'], exits.usage, /option '-input' needs a value/],
    ['missing -output', () => ['supervised', '-input', 'a'], exits.usage, /missing -output <prefix>/],
    ['unknown loss', () => ['supervised', '-input', 'a', '-output', 'x', '-loss', 'hinge'], exits.usage, /expected one of softmax, ns, hs, ova for -loss but received 'hinge'/],
    ['no negatives', () => ['supervised', '-input', 'a', '-output', 'x', '-loss', 'ns', '-neg', '0'], exits.usage, /expected an integer in \[1, 1024\] for -neg but received '0'/],
    ['missing training file', () => ['supervised', '-input', join(dir, 'nope.txt'), '-output', 'x'], exits.input, /cannot read training file .*nope\.txt: no such file/],
    ['missing model', () => ['test', join(dir, 'nope.bin'), join(dir, 'test.txt')], exits.input, /cannot load model .*nope\.bin/],
    ['missing test file', () => ['test', join(dir, 'model.bin'), join(dir, 'nope.txt')], exits.input, /cannot read test file .*nope\.txt: no such file/],
    ['not a model', () => ['test', join(dir, 'test.txt'), join(dir, 'test.txt')], exits.input, /cannot load model .*test\.txt/],
    ['bad -hot-rows', () => ['supervised', '-input', join(dir, 'train.txt'), '-output', join(dir, 'bad'), '-hot-rows', '-1'], exits.usage, /hot-rows/],
    ['bad k', () => ['predict', join(dir, 'model.bin'), join(dir, 'test.txt'), 'x'], exits.usage, /expected an integer >= 1 for k but received 'x'/],
    ['missing job module', () => ['run', join(dir, 'nope.mjs')], exits.input, /cannot run .*nope\.mjs: no such file/],
  ];
  test.each(cases)('%s', async (_name, args, code, pattern) => {
    const r = await runCli(dist, args(), { cwd: dir });
    expect(r.code).toBe(code);
    expectOneLine(r.stderr, pattern);
    expect(r.stdout).toBe('');
  });

  test('malformed input files name the file and line', async () => {
    writeFileSync(join(dir, 'nolabel.txt'), '__label__a x y\nno label here\n');
    writeFileSync(join(dir, 'binary.txt'), Buffer.from([0x5f, 0x5f, 0xff, 0xfe, 0x00, 0x0a]));
    writeFileSync(join(dir, 'onelabel.txt'), '__label__a x y\n__label__a z\n');
    let r = await runCli(dist, ['supervised', '-input', join(dir, 'nolabel.txt'), '-output', join(dir, 'x')]);
    expect(r.code).toBe(exits.input);
    expectOneLine(r.stderr, /nolabel\.txt:2: expected a label/);
    r = await runCli(dist, ['supervised', '-input', join(dir, 'binary.txt'), '-output', join(dir, 'x')]);
    expect(r.code).toBe(exits.input);
    expectOneLine(r.stderr, /binary\.txt:1: invalid UTF-8/);
    r = await runCli(dist, ['supervised', '-input', join(dir, 'onelabel.txt'), '-output', join(dir, 'x')]);
    expect(r.code).toBe(exits.input);
    expectOneLine(r.stderr, /Expected at least 2 labels in .*onelabel\.txt but it has 1/);
    r = await runCli(dist, ['predict', join(dir, 'model.bin'), join(dir, 'binary.txt')]);
    expect(r.code).toBe(exits.input);
    expectOneLine(r.stderr, /binary\.txt:1: invalid UTF-8/);
  });

  test('--debug adds the stack trace', async () => {
    const r = await runCli(dist, ['test', join(dir, 'nope.bin'), join(dir, 'test.txt'), '--debug']);
    expect(r.code).toBe(exits.input);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('run', () => {
  test('runs a job module with checkpoints, --max-epochs and --resume latest', async () => {
    const mod = join(dir, 'job.mjs');
    writeFileSync(
      mod,
      `import { Job, Task, ModelHelper, buildSgd, ops, finalOutput } from ${JSON.stringify(join(dist, 'index.js'))};
export default function build({ args }) {
  const job = new Job();
  const model = new ModelHelper({ name: 'lin', seed: Number(args[0] ?? 1) });
  const pred = model.fc('x', 'fc', 2, 1);
  const loss = model.squaredL2Loss(pred, 'y');
  model.addGradientOperators(loss);
  buildSgd(model, { baseLearningRate: 0.1 });
  let out;
  job.initGroup.scope(() => new Task({ name: 'init' }).scope(() => {
    ops.GivenTensorFill([], ['x'], { shape: [4, 2], values: [1, 0, 0, 1, 1, 1, 2, 1] });
    ops.GivenTensorFill([], ['y'], { shape: [4, 1], values: [1, 2, 3, 4] });
    ops.net(model.paramInitNet);
  }));
  job.scope(() => new Task({ name: 'train' }).scope(() => {
    ops.loop(20).scope(() => ops.net(model.net));
    out = finalOutput(loss);
  }));
  return { job, report: { loss: out }, maxEpochs: 6, unit: 'examples', perEpoch: 80 };
}
`,
    );
    const ck = join(dir, 'run-ckpt');
    let r = await runCli(dist, ['run', mod, '--checkpoint-dir', ck, '--max-epochs', '3', '--chart', join(dir, 'run-chart'), '--', '7']);
    expect(r.code, r.stderr).toBe(exits.ok);
    expect(r.stderr).toMatch(/epoch 3\/3 \| loss \d\.\d{4} \| [\d.]+k? examples\/s/);
    expect(r.stdout).toMatch(/^Finished epoch 3 of 3: 3 epochs run in [\d.]+ s, [\d.]+k? examples\/s\nFinal loss: \d\.\d{4}\nCharts: .*run-chart\.svg/);
    expect(existsSync(join(ck, 'trainer.3'))).toBe(true);
    r = await runCli(dist, ['run', mod, '--checkpoint-dir', ck, '--resume', 'latest', '--json']);
    expect(r.code, r.stderr).toBe(exits.ok);
    expect(events(r.stdout).at(-1)).toMatchObject({ event: 'done', epoch: 6, epochsRun: 3, resumedFrom: 3 });
  });

  test('module errors: not a job, a throwing builder, TypeScript without a loader, --resume without a directory', async () => {
    writeFileSync(join(dir, 'three.mjs'), 'export default 3;\n');
    writeFileSync(join(dir, 'boom.mjs'), 'export default () => { throw new Error("boom"); };\n');
    writeFileSync(join(dir, 'job.ts'), 'export default (): number => 3;\n');
    let r = await runCli(dist, ['run', join(dir, 'three.mjs')]);
    expect(r.code).toBe(exits.input);
    expectOneLine(r.stderr, /expected its default export \(or buildJob\) to be a function returning a Job/);
    r = await runCli(dist, ['run', join(dir, 'boom.mjs')]);
    expect(r.code).toBe(exits.failure);
    expectOneLine(r.stderr, /^hogwild run: boom$/);
    r = await runCli(dist, ['run', join(dir, 'job.ts')]);
    if (r.code === exits.usage) expectOneLine(r.stderr, /cannot load TypeScript by itself; compile it/);
    else expect(r.stderr).toMatch(/expected its default export/); // a Node that strips types imports it
    r = await runCli(dist, ['run', join(dir, 'boom.mjs'), '--resume', 'latest']);
    expect(r.code).toBe(exits.usage);
    expectOneLine(r.stderr, /--resume needs --checkpoint-dir/);
  });
});

describe('demo', () => {
  test('generates, trains with checkpoints, tests and charts', async () => {
    const d = join(dir, 'demo');
    // A tenth of the default corpus needs more epochs at the demo's lr (0.05, tuned for 40 000 documents).
    const r = await runCli(dist, ['demo', '--dir', d, '--docs', '4000', '--epoch', '10']);
    expect(r.code, r.stderr).toBe(exits.ok);
    expect(r.stdout).toMatch(/Training: +10 epochs in [\d.]+ s, [\d.]+[kM] tokens\/s, final loss \d\.\d{4}\nTest: +P@1 0\.\d{3} on 400 documents\n/);
    const p1 = Number(/P@1 (0\.\d+)/.exec(r.stdout)![1]);
    expect(p1).toBeGreaterThan(0.6);
    for (const f of ['train.txt', 'test.txt', 'model.bin', 'model.train.svg', 'checkpoints/fasttext.10']) expect(existsSync(join(d, f)), f).toBe(true);
  });
});
