/**
 * Server-Sent Events of one job. Every kept event carries an `id:`; a client
 * that reconnects with `Last-Event-ID` (as a browser's EventSource does) gets
 * only what it missed. Once a job has ended and the client has seen its last
 * event, the answer is 204 No Content, which tells an EventSource to stop
 * reconnecting — so a finished stream is not replayed every few seconds.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { HttpError } from './http.js';
import type { JobEvent, TrainingJob } from './TrainingJob.js';

/** The id of the last event the client saw: the Last-Event-ID header, or `?lastEventId=` for clients that cannot set headers. */
function lastEventId(req: IncomingMessage, url: URL): number {
  const raw = req.headers['last-event-id'] ?? url.searchParams.get('lastEventId');
  if (raw === undefined || raw === null || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `expected a non-negative integer Last-Event-ID but received '${String(raw)}'`);
  return n;
}

function format(e: JobEvent): string {
  return `${e.id === undefined ? '' : `id: ${e.id}\n`}event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

export function streamEvents(req: IncomingMessage, res: ServerResponse, url: URL, job: TrainingJob, headers: Record<string, string>): void {
  const after = lastEventId(req, url);
  const missed = job.history.slice(after);
  if (job.ended && missed.length === 0) {
    res.writeHead(204, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  // A reconnecting client waits 3 s by default; keep that, it only happens on network errors now.
  res.write('retry: 3000\n\n');
  for (const e of missed) res.write(format(e));
  if (job.ended) {
    res.end();
    return;
  }
  const onEvent = (e: JobEvent) => {
    res.write(format(e));
    if (job.ended) res.end();
  };
  job.on('event', onEvent);
  const stop = () => job.off('event', onEvent);
  res.on('close', stop);
  req.on('close', stop);
}
