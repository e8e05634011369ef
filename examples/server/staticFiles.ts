/**
 * The dashboard's files: the page and its script from `public/`, the chart
 * libraries (vega, vega-lite: optional dependencies of hogwild) from
 * node_modules, so the page works offline, and a seeded demo corpus for
 * newcomers without a training file.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { generateCorpus } from 'hogwild';

const here = dirname(fileURLToPath(import.meta.url));

/** `public/` next to this file, or — when run compiled from dist-examples/ — the one in the sources. */
function publicDir(): string {
  const candidates = [join(here, 'public'), join(here, '..', '..', 'examples', 'server', 'public')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

/** `node_modules/<rel>` in this directory or the nearest one above it. */
function fromNodeModules(rel: string): string | undefined {
  for (let dir = here; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', rel);
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

interface StaticFile {
  type: string;
  /** Where it comes from; undefined when it is not installed. */
  path: () => string | undefined;
  /** Browsers may keep it (versioned libraries) or must revalidate (the page, which changes with the server). */
  immutable?: boolean;
}

const FILES: Record<string, StaticFile> = {
  '/': { type: 'text/html; charset=utf-8', path: () => join(publicDir(), 'index.html') },
  '/dashboard.js': { type: 'text/javascript; charset=utf-8', path: () => join(publicDir(), 'dashboard.js') },
  '/dashboard.css': { type: 'text/css; charset=utf-8', path: () => join(publicDir(), 'dashboard.css') },
  '/vendor/vega.min.js': { type: 'text/javascript; charset=utf-8', path: () => fromNodeModules('vega/build/vega.min.js'), immutable: true },
  '/vendor/vega-lite.min.js': { type: 'text/javascript; charset=utf-8', path: () => fromNodeModules('vega-lite/build/vega-lite.min.js'), immutable: true },
};

/** The page's policy: its own scripts only (vega compiles its expressions with `new Function`). */
const CSP = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

const cache = new Map<string, Buffer | null>();

/** Answers GET for a static path; false when `pathname` is not one. */
export function serveStatic(pathname: string, res: ServerResponse): boolean {
  if (pathname === '/demo/train.txt') {
    serveDemoCorpus(res);
    return true;
  }
  const file = FILES[pathname];
  if (!file) return false;
  let body = cache.get(pathname);
  if (body === undefined) {
    const path = file.path();
    body = path && existsSync(path) ? readFileSync(path) : null;
    // Libraries do not change while the server runs; the page is re-read so edits show on reload.
    if (file.immutable) cache.set(pathname, body);
  }
  if (body === null) {
    const text = `${pathname} is not installed (npm install vega vega-lite for the charts)`;
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return true;
  }
  res.writeHead(200, {
    'content-type': file.type,
    'content-length': body.length,
    'cache-control': file.immutable ? 'public, max-age=86400' : 'no-cache',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
  return true;
}

let demo: Buffer | undefined;

/** 20 000 labelled lines of the seeded synthetic corpus (6 labels): a valid training file, the same bytes every time. */
function serveDemoCorpus(res: ServerResponse): void {
  demo ??= Buffer.from(generateCorpus({ seed: 1, train: 20_000, test: 0, classes: 6 }).train);
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': demo.length,
    'content-disposition': 'attachment; filename="train.txt"',
  });
  res.end(demo);
}
