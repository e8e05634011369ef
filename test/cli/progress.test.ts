// The progress display in its three modes, with recording streams, and the
// fastText-style argument parsing (in-process: no spawn).
import { expect, test } from 'vitest';

import { parseCommandArgs } from '../../lib/cli/args.js';
import { UsageError } from '../../lib/cli/exitCodes.js';
import { duration, ProgressDisplay, progressMode, si } from '../../lib/cli/progress.js';

function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, columns: 120, chunks, write: (s: string) => (chunks.push(s), true), text: () => chunks.join('') } as unknown as NodeJS.WriteStream & { chunks: string[]; text(): string };
}

test('plain mode: one line per epoch on stderr', () => {
  const err = recorder(false);
  const out = recorder(false);
  const p = new ProgressDisplay({ mode: 'plain', unit: 'tokens', totalEpochs: 5, err, out });
  p.start();
  p.update({ epoch: 1, fraction: 0.1, loss: 0.9, rate: 1e6 }); // too soon for an in-epoch line
  p.epochEnd({ epoch: 1, loss: 0.81234, seconds: 0.25, rate: 1_520_000 }, 0.2);
  p.note('a note');
  p.stop();
  expect(err.text()).toBe('epoch 1/5 | loss 0.8123 | 1.52M tokens/s | 0.25 s\na note\n');
  expect(out.text()).toBe('');
});

test('json mode: events on stdout, nothing on stderr', () => {
  const err = recorder(false);
  const out = recorder(false);
  const p = new ProgressDisplay({ mode: 'json', unit: 'examples', err, out });
  p.start();
  p.update({ epoch: 1, fraction: 0.5, loss: 0.5, rate: 10 });
  p.epochEnd({ epoch: 1, loss: 0.5, seconds: 1, rate: 10 });
  p.event('done', { epochs: 1 });
  p.stop();
  const events = out.text().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(events.map((e) => e.event)).toEqual(['progress', 'epoch', 'done']);
  expect(events[1]).toEqual({ event: 'epoch', epoch: 1, loss: 0.5, seconds: 1, rate: 10, unit: 'examples' });
  expect(err.text()).toBe('');
});

test('tty mode: a live line with percent, epoch, loss, rate and ETA; epochs print above it', async () => {
  const err = recorder(true);
  const p = new ProgressDisplay({ mode: 'tty', unit: 'tokens', totalEpochs: 4, err, out: recorder(false) });
  p.start();
  p.update({ epoch: 1, fraction: 0.05, loss: 1.2, rate: 2e6 });
  await new Promise((r) => setTimeout(r, 150));
  p.update({ epoch: 2, fraction: 0.4, loss: 0.61, rate: 2.1e6 });
  await new Promise((r) => setTimeout(r, 150));
  p.epochEnd({ epoch: 2, loss: 0.6, seconds: 0.5, rate: 2e6 }, 0.5);
  p.stop();
  const text = err.text();
  expect(text).toMatch(/40% \| epoch 2\/4 \| loss 0\.6100 \| 2\.10M tokens\/s \| ETA \d+s/);
  expect(text).toContain('epoch 2/4 | loss 0.6000 | 2.00M tokens/s | 0.50 s\n');
});

test('progressMode, si, duration', () => {
  expect(progressMode({ json: true }, recorder(true))).toBe('json');
  expect(progressMode({ noProgress: true }, recorder(true))).toBe('plain');
  expect(progressMode({}, recorder(true))).toBe('tty');
  expect(progressMode({}, recorder(false))).toBe('plain');
  expect([si(1_520_000), si(823_456), si(12.5), si(2.5e9)]).toEqual(['1.52M', '823k', '12.5', '2.50G']);
  expect([duration(42), duration(185), duration(3720), duration(Number.NaN)]).toEqual(['42s', '3m05s', '1h02m', '?']);
});

test("fastText's single-dash flags, values starting with '-', and one-line usage errors", () => {
  const specs = { input: { type: 'string', description: '' }, lr: { type: 'string', description: '' }, resume: { type: 'boolean', description: '' } } as const;
  expect(parseCommandArgs('x', ['-input', 'a.txt', '-lr', '-0.5', '-resume', 'pos'], specs)).toEqual({
    values: { input: 'a.txt', lr: '-0.5', resume: true },
    positionals: ['pos'],
  });
  expect(parseCommandArgs('x', ['--input=b.txt', '--lr', '1', '-h'], specs).values).toMatchObject({ input: 'b.txt', lr: '1', help: true });
  expect(() => parseCommandArgs('x', ['-nope'], specs)).toThrow(new UsageError("unknown option '-nope' for 'hogwild x' (see hogwild x --help)"));
  expect(() => parseCommandArgs('x', ['-resume=1'], specs)).toThrow(new UsageError("option '-resume' takes no value"));
  expect(() => parseCommandArgs('x', ['-input'], specs)).toThrow(new UsageError("option '-input' needs a value (see hogwild x --help)"));
});
