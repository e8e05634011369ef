// Starts the example training server: PORT (default 8080) on 127.0.0.1,
// job files under DATA_DIR (default ./hogwild-server-data). Ctrl-C cancels
// the jobs and exits.
import { createTrainingServer } from './app.js';

const port = Number(process.env.PORT ?? 8080);
const service = createTrainingServer({ dataDir: process.env.DATA_DIR ?? 'hogwild-server-data' });
service.server.listen(port, '127.0.0.1', () => {
  console.log(`hogwild example server on http://127.0.0.1:${port} (POST /jobs with a fastText file to train)`);
});
process.once('SIGINT', () => {
  void service.close().then(() => process.exit(0));
});
