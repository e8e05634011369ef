// `hogwild predict` streams, spawned as a user runs it: a pipe fed one line at
// a time gets each answer before it sends the next line, and a large input from
// stdin runs in bounded memory (the target is 1M lines in <= 100 MB
// peak RSS; this runs a reduced size under the same limit).
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, test } from 'vitest';

import { writeModel } from '../apps/fasttext/modelFixture.js';
import { addonPath, compileLib, removeCompiled, root, scratch, waitFor } from './helpers.js';

let dist: string;
let dir: string;
let model: string;

beforeAll(async () => {
  dist = compileLib('predict-stream');
  dir = scratch('predict-stream-cli');
  model = (await writeModel(dir)).path;
});
afterAll(() => {
  removeCompiled(dist);
  rmSync(dir, { recursive: true, force: true });
});

function spawnCli(args: string[], prefix: string[] = []) {
  const cmd = prefix.length > 0 ? prefix[0]! : process.execPath;
  const argv = [...prefix.slice(1), ...(prefix.length > 0 ? [process.execPath] : []), join(dist, 'cli', 'main.js'), ...args];
  const child = spawn(cmd, argv, { cwd: root, env: { ...process.env, HOGWILD_NATIVE_PATH: addonPath, HOGWILD_DEBUG: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

test('a pipe fed one line at a time gets one answer at a time', async () => {
  const cli = spawnCli(['predict-prob', model, '-', '2']);
  const sent = ['__label__a w1 w2 w3', 'w4 w5', 'w6 w7 w8 w9'];
  for (let i = 0; i < sent.length; i++) {
    cli.child.stdin.write(`${sent[i]}\n`);
    // The answer comes while stdin is still open (the next line not yet sent).
    await waitFor(() => cli.stdout().split('\n').length - 1 === i + 1, 20_000, `answer ${i + 1} (stderr: ${cli.stderr()})`);
    await new Promise((r) => setTimeout(r, 150));
  }
  cli.child.stdin.end();
  expect(await cli.done).toBe(0);
  const lines = cli.stdout().trimEnd().split('\n');
  expect(lines).toHaveLength(3);
  for (const l of lines) expect(l).toMatch(/^__label__\w+ [\d.e-]+ __label__\w+ [\d.e-]+$/);
}, 60_000);

test('300k lines from stdin: bounded peak RSS, every answer in order', async () => {
  if (!existsSync('/usr/bin/time')) {
    console.warn('SKIPPED: /usr/bin/time is not installed (apt-get install time); cannot measure the peak RSS');
    return;
  }
  const n = 300_000;
  const cli = spawnCli(['predict', model, '-'], ['/usr/bin/time', '-f', 'maxrss_kb=%M']);
  const words = 'w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20';
  let answers = 0;
  let tail = '';
  cli.child.stdout.removeAllListeners('data');
  cli.child.stdout.on('data', (d: string) => {
    const text = tail + d;
    const nl = text.lastIndexOf('\n');
    answers += text.slice(0, nl + 1).split('\n').length - 1;
    tail = text.slice(nl + 1);
  });
  const block = `${Array.from({ length: 1000 }, (_, i) => `${words} w${i % 60}`).join('\n')}\n`;
  for (let i = 0; i < n / 1000; i++) {
    if (!cli.child.stdin.write(block)) await new Promise((r) => cli.child.stdin.once('drain', r));
  }
  cli.child.stdin.end();
  expect(await cli.done, cli.stderr()).toBe(0);
  expect(answers).toBe(n);
  const kb = Number(/maxrss_kb=(\d+)/.exec(cli.stderr())?.[1]);
  expect(kb).toBeGreaterThan(0);
  expect(kb / 1024).toBeLessThanOrEqual(100);
}, 120_000);
