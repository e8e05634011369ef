/**
 * The Python that runs the PyTorch peers: $HOGWILD_BENCH_PYTHON, else Debian's
 * /usr/bin/python3 (where apt installs python3-torch and python3-numpy; a python3
 * earlier on PATH, such as a pyenv shim, often has neither), else python3 on PATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { which } from '../harness/proc.js';
import { INSTALL_HINT } from './types.js';

export type TorchProbe =
  | { ok: true; python: string; torch: string; numpy: string }
  | { ok: false; reason: string };

export function peerPython(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.HOGWILD_BENCH_PYTHON) return which(env.HOGWILD_BENCH_PYTHON, env);
  if (existsSync('/usr/bin/python3')) return '/usr/bin/python3';
  return which('python3', env);
}

const probes = new Map<string, TorchProbe>();

/** Whether the peer Python can import torch and numpy (asked once per interpreter). */
export function probeTorch(env: NodeJS.ProcessEnv = process.env): TorchProbe {
  const python = peerPython(env);
  if (!python) {
    const what = env.HOGWILD_BENCH_PYTHON ? `${env.HOGWILD_BENCH_PYTHON} is not executable` : 'no python3';
    return { ok: false, reason: `not installed: ${what} (apt-get install python3-torch python3-numpy; ${INSTALL_HINT})` };
  }
  const cached = probes.get(python);
  if (cached) return cached;
  const r = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__, numpy.__version__)'], {
    env, encoding: 'utf8', timeout: 60_000,
  });
  const words = (r.stdout ?? '').trim().split(/\s+/);
  const probe: TorchProbe = r.status === 0 && words.length === 2
    ? { ok: true, python, torch: words[0]!, numpy: words[1]! }
    : {
        ok: false,
        reason: `not installed: ${python} cannot import torch and numpy (apt-get install python3-torch python3-numpy; ${INSTALL_HINT})`,
      };
  probes.set(python, probe);
  return probe;
}
