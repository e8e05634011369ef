/** Parsing of rendezvous store addresses: a directory, or redis://host:port. */
import { isAbsolute, resolve } from 'node:path';

import { InvalidArgumentError } from '../errors/index.js';

export type StoreSpec = { kind: 'file'; path: string } | { kind: 'redis'; host: string; port: number };

/** `redis://host:port` (port defaults to 6379) or a directory path shared by every rank. */
export function parseStore(spec: string): StoreSpec {
  if (typeof spec !== 'string' || spec.length === 0) throw new InvalidArgumentError('Expected a store: a directory or redis://host:port');
  if (spec.startsWith('redis://')) {
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      throw new InvalidArgumentError(`Expected a store like redis://host:port but received '${spec}'`);
    }
    const port = url.port === '' ? 6379 : Number(url.port);
    if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65535)
      throw new InvalidArgumentError(`Expected a store like redis://host:port but received '${spec}'`);
    return { kind: 'redis', host: url.hostname.replace(/^\[|\]$/g, ''), port };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec))
    throw new InvalidArgumentError(`Expected a directory or redis://host:port as the store but received '${spec}'`);
  return { kind: 'file', path: isAbsolute(spec) ? spec : resolve(spec) };
}

/** The spec back as a string (for child processes' environment). */
export function formatStore(store: StoreSpec): string {
  return store.kind === 'redis' ? `redis://${store.host}:${store.port}` : store.path;
}
