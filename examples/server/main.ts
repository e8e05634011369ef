// Starts the example training server and its dashboard. Environment: PORT
// (default 8080), HOST (default 127.0.0.1), DATA_DIR (default
// ./hogwild-server-data), CORS_ORIGIN ('*' or a comma-separated list), MAX_JOBS
// (default 4). Ctrl-C (or SIGTERM) cancels the jobs and exits.
import { startFromEnv } from './start.js';

try {
  const { service, url } = await startFromEnv(process.env);
  console.log(`hogwild example server: dashboard on ${url} (POST /jobs with a fastText file to train)`);
  const stop = () => void service.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(`hogwild example server: ${(err as Error).message}`);
  process.exitCode = 1;
}
