/**
 * Start-up of the example server from its environment, with errors a person
 * can act on (a bad PORT, a port in use) instead of a stack trace.
 */
import type { Server } from 'node:net';

import { InvalidArgumentError } from 'hogwild';

import { createTrainingServer, type TrainingServer } from './app.js';
import { parseCorsOrigins } from './cors.js';

export interface ServerEnv {
  PORT?: string;
  HOST?: string;
  DATA_DIR?: string;
  CORS_ORIGIN?: string;
  MAX_JOBS?: string;
}

/** A TCP port from text: an integer in [0, 65535] (0: any free port). */
export function parsePort(text: string | undefined, fallback = 8080): number {
  if (text === undefined || text.trim() === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`Expected PORT to be an integer in [0, 65535] but received '${text}'`, 'HOGWILD_SERVER_PORT');
  return n;
}

/** Listens, rejecting with an InvalidArgumentError that names the address when it cannot. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const where = `${host}:${port}`;
      const why =
        err.code === 'EADDRINUSE'
          ? `${where} is already in use (another server is running there: stop it or set PORT)`
          : err.code === 'EACCES'
            ? `${where} needs privileges (choose PORT >= 1024)`
            : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
              ? `${host} is not an address of this machine (set HOST)`
              : `cannot listen on ${where}: ${err.message}`;
      reject(new InvalidArgumentError(why, 'HOGWILD_SERVER_LISTEN', { cause: err }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Creates the server from `env` and listens; rejects with a clear error on bad settings. */
export async function startFromEnv(env: ServerEnv): Promise<{ service: TrainingServer; url: string }> {
  const port = parsePort(env.PORT);
  const host = env.HOST?.trim() || '127.0.0.1';
  const maxJobs = env.MAX_JOBS === undefined ? 4 : Number(env.MAX_JOBS);
  if (!Number.isInteger(maxJobs) || maxJobs < 1 || maxJobs > 64) throw new InvalidArgumentError(`Expected MAX_JOBS to be an integer in [1, 64] but received '${env.MAX_JOBS}'`, 'HOGWILD_SERVER_CONFIG');
  const service = createTrainingServer({
    dataDir: env.DATA_DIR?.trim() || 'hogwild-server-data',
    corsOrigins: parseCorsOrigins(env.CORS_ORIGIN),
    maxRunningJobs: maxJobs,
  });
  try {
    await listen(service.server, port, host);
  } catch (err) {
    await service.close().catch(() => undefined);
    throw err;
  }
  const address = service.server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return { service, url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}/` };
}
