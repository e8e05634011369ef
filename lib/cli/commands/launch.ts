/**
 * `hogwild launch --nodes N [--node-rank R --local-nodes M] [--store DIR|redis://host:port] job.js`:
 * starts this host's ranks of a multi-node job and supervises them (see
 * lib/distributed/launcher.ts). Each rank runs job.js with node; the module
 * joins the group with connectFromEnv().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InvalidArgumentError } from '../../errors/index.js';
import { launch, type LaunchResult } from '../../distributed/launcher.js';
import { loadGloo } from '../../distributed/native.js';
import { intOption, type OptionSpecs, type ParsedArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT, UsageError } from '../exitCodes.js';

const OPTIONS: OptionSpecs = {
  nodes: { type: 'string', value: 'n', description: 'number of ranks in the whole job (all hosts together)' },
  'node-rank': { type: 'string', value: 'r', description: 'first rank this host starts (default 0)' },
  'local-nodes': { type: 'string', value: 'm', description: 'ranks this host starts (default: nodes - node-rank)' },
  store: { type: 'string', value: 'dir|redis://host:port', description: 'rendezvous store (default: a fresh temporary directory; needed across hosts)' },
  'run-id': { type: 'string', value: 'id', description: 'names the run in the store; the same on every host' },
  'max-restarts': { type: 'string', value: 'n', description: 'restart all local ranks up to n times after a failure (default 0)' },
  'checkpoint-dir': { type: 'string', value: 'dir', description: 'Job modules: each rank checkpoints here every epoch; restarts resume from the newest epoch valid on every rank' },
  hostname: { type: 'string', value: 'addr', description: "address the ranks listen on (default 127.0.0.1; this host's address across hosts)" },
  timeout: { type: 'string', value: 'ms', description: 'a collective waiting longer than this for a peer fails with HOGWILD_PEER_LOST (default 30000)' },
  'rendezvous-timeout': { type: 'string', value: 'ms', description: 'how long ranks wait for each other at start (default 30000)' },
};

async function run(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const v = args.values;
  const [script, ...rest] = args.positionals;
  if (script === undefined) throw new UsageError('usage: hogwild launch --nodes N [options] <job.js> [-- args for the job]');
  const nodes = intOption(v, 'nodes', 1);
  if (nodes === undefined) throw new UsageError('hogwild launch needs --nodes N (the number of ranks)');
  loadGloo(); // fail here, once, with how to get the module
  const given = typeof v.store === 'string' ? v.store : undefined;
  const temp = given ? undefined : mkdtempSync(join(tmpdir(), 'hogwild-rendezvous-'));
  try {
    const nodeRank = intOption(v, 'node-rank', 0);
    const localNodes = intOption(v, 'local-nodes', 1);
    const maxRestarts = intOption(v, 'max-restarts', 0);
    const timeoutMs = intOption(v, 'timeout', 1);
    const rendezvousTimeoutMs = intOption(v, 'rendezvous-timeout', 1);
    let result: LaunchResult;
    try {
      result = await launch({
      script,
      args: rest,
      nodes,
      store: given ?? temp!,
      out: ctx.out,
      err: ctx.err,
      ...(nodeRank !== undefined ? { nodeRank } : {}),
      ...(localNodes !== undefined ? { localNodes } : {}),
      ...(maxRestarts !== undefined ? { maxRestarts } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(rendezvousTimeoutMs !== undefined ? { rendezvousTimeoutMs } : {}),
      ...(typeof v['run-id'] === 'string' ? { runId: v['run-id'] } : {}),
      ...(typeof v.hostname === 'string' ? { hostname: v.hostname } : {}),
      ...(typeof v['checkpoint-dir'] === 'string' ? { checkpointDir: v['checkpoint-dir'] } : {}),
      });
    } catch (err) {
      // Bad --nodes/--node-rank/--store combinations are command-line mistakes.
      if (err instanceof InvalidArgumentError) throw new UsageError(err.message);
      throw err;
    }
    if (result.ok) return EXIT.OK;
    ctx.err.write(`hogwild launch: failed after ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}\n`);
    return EXIT.FAILURE;
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

export const launchCommand: Command = {
  name: 'launch',
  summary: 'start a multi-node job: N processes that meet through a store and train together (needs Gloo)',
  usage: ['hogwild launch --nodes N [options] <job.js> [-- args for the job]'],
  options: OPTIONS,
  details: `Each rank imports job.js with HOGWILD_RANK, HOGWILD_WORLD_SIZE and the store in
its environment. A module whose default export builds a Job (as for hogwild
run; the builder also gets { rank, size, group }) is trained on every rank with
a DistributedJobRunner: a stop condition true on any rank stops all of them
after the same epoch. Any other module is a program that joins the group
itself with connectFromEnv() from hogwild/distributed. On one
machine, --nodes N starts all ranks here. Across hosts, run it on every host
with the same --nodes, --store (redis://host:port or a shared directory) and
--run-id, and each host's --node-rank/--local-nodes.

When a rank fails, the others fail with HOGWILD_PEER_LOST within --timeout;
with --max-restarts n all local ranks are restarted under a fresh store prefix.
Needs the optional Gloo module (apt-get install libgloo-dev libhiredis-dev
pkg-config, then npm run build).`,
  run,
};
