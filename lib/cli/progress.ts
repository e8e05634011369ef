/**
 * How training progress is shown:
 * - `tty`: one live line on stderr (cli-progress): percent, epoch, loss,
 *   throughput, ETA; finished epochs and notes print above it;
 * - `plain` (stderr is not a TTY, or --no-progress): one line per finished
 *   epoch, plus a line every `intervalMs` inside long epochs;
 * - `json` (--json): one JSON object per line on stdout, nothing on stderr
 *   but errors.
 */
import cliProgress from 'cli-progress';

export type ProgressMode = 'tty' | 'plain' | 'json';

/** Live state inside an epoch. */
export interface ProgressUpdate {
  epoch: number;
  /** Fraction of the whole run done, in [0, 1] (unknown: undefined). */
  fraction?: number;
  /** Running mean loss of this epoch. */
  loss?: number;
  /** Units per second in this epoch so far. */
  rate?: number;
}

/** A finished epoch. */
export interface EpochSummary {
  epoch: number;
  loss?: number;
  seconds: number;
  rate?: number;
}

/** `1.41M`, `823k`, `12.5`: three significant digits with an SI suffix. */
export function si(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${(x / 1e3).toPrecision(3)}k`;
  return x.toPrecision(3);
}

/** `42s`, `3m05s`, `1h02m`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

export interface ProgressDisplayOptions {
  mode: ProgressMode;
  /** What the throughput counts ('tokens', 'examples', 'epochs'). */
  unit: string;
  /** Last epoch of the run, when known (for "epoch 3/5"). */
  totalEpochs?: number;
  /** Plain mode: at most one in-epoch line per this many ms (default 10 000). */
  intervalMs?: number;
  err?: NodeJS.WriteStream | NodeJS.WritableStream;
  out?: NodeJS.WritableStream;
}

export class ProgressDisplay {
  readonly mode: ProgressMode;
  private readonly _o: ProgressDisplayOptions;
  private readonly _err: NodeJS.WritableStream;
  private readonly _out: NodeJS.WritableStream;
  private _multi: cliProgress.MultiBar | undefined;
  private _bar: cliProgress.SingleBar | undefined;
  private _start = 0;
  private _startFraction: number | undefined;
  private _lastLine = -Infinity;
  private _lastJson = -Infinity;

  constructor(options: ProgressDisplayOptions) {
    this.mode = options.mode;
    this._o = options;
    this._err = options.err ?? process.stderr;
    this._out = options.out ?? process.stdout;
  }

  /** A JSON event on stdout (json mode only). */
  event(name: string, fields: Record<string, unknown> = {}): void {
    if (this.mode === 'json') this._out.write(`${JSON.stringify({ event: name, ...fields })}\n`);
  }

  /** A human note on stderr (above the live line), or a `note` event. */
  note(message: string): void {
    if (this.mode === 'json') this.event('note', { message });
    else if (this._multi) {
      this._multi.log(`${message}\n`);
      this._multi.update(); // draw now: logs are flushed on redraw
    }
    else this._err.write(`${message}\n`);
  }

  /** Starts the clock (and the live line on a TTY). */
  start(): void {
    this._start = performance.now();
    if (this.mode !== 'tty') return;
    this._multi = new cliProgress.MultiBar(
      {
        stream: this._err,
        format: ' {bar} {percentage}% | epoch {epochs} | loss {loss} | {rate} | ETA {remaining}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        gracefulExit: false,
        fps: 8,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this._bar = this._multi.create(1000, 0, this._payload({ epoch: 0 }));
  }

  update(u: ProgressUpdate): void {
    const now = performance.now();
    if (u.fraction !== undefined) this._startFraction ??= u.fraction;
    if (this._bar) {
      this._bar.update(Math.round((u.fraction ?? 0) * 1000), this._payload(u));
    } else if (this.mode === 'plain' && now - this._lastLine >= (this._o.intervalMs ?? 10_000) && now - this._start >= (this._o.intervalMs ?? 10_000)) {
      this._lastLine = now;
      this._err.write(`${this._line(u)}\n`);
    } else if (this.mode === 'json' && now - this._lastJson >= 1000) {
      this._lastJson = now;
      this.event('progress', { epoch: u.epoch, fraction: u.fraction, loss: u.loss, rate: u.rate, unit: this._o.unit, etaSeconds: this._eta(u.fraction) });
    }
  }

  epochEnd(e: EpochSummary, fraction?: number): void {
    this._lastLine = performance.now();
    const parts = [`epoch ${this._epochs(e.epoch)}`];
    if (e.loss !== undefined) parts.push(`loss ${e.loss.toFixed(4)}`);
    if (e.rate !== undefined) parts.push(`${si(e.rate)} ${this._o.unit}/s`);
    parts.push(`${e.seconds.toFixed(2)} s`);
    if (this.mode === 'json') this.event('epoch', { ...e, unit: this._o.unit });
    else this.note(parts.join(' | '));
    if (this._bar && fraction !== undefined) this._bar.update(Math.round(fraction * 1000), this._payload({ epoch: e.epoch, fraction, loss: e.loss, rate: e.rate }));
  }

  /** Removes the live line. */
  stop(): void {
    this._multi?.stop();
    this._multi = undefined;
    this._bar = undefined;
  }

  /** Seconds since start(). */
  elapsed(): number {
    return (performance.now() - this._start) / 1000;
  }

  private _epochs(epoch: number): string {
    return this._o.totalEpochs !== undefined ? `${epoch}/${this._o.totalEpochs}` : String(epoch);
  }

  private _eta(fraction: number | undefined): number | undefined {
    if (fraction === undefined || this._startFraction === undefined || fraction <= this._startFraction) return undefined;
    const done = fraction - this._startFraction;
    return (this.elapsed() * (1 - fraction)) / done;
  }

  private _payload(u: ProgressUpdate): Record<string, string> {
    const eta = this._eta(u.fraction);
    return {
      epochs: this._epochs(u.epoch),
      loss: u.loss === undefined ? '-' : u.loss.toFixed(4),
      rate: u.rate === undefined ? '-' : `${si(u.rate)} ${this._o.unit}/s`,
      remaining: eta === undefined ? '-' : duration(eta),
    };
  }

  private _line(u: ProgressUpdate): string {
    const p = this._payload(u);
    const pct = u.fraction === undefined ? '' : `${(u.fraction * 100).toFixed(0)}% | `;
    return `${pct}epoch ${p.epochs} | loss ${p.loss} | ${p.rate} | ETA ${p.remaining}`;
  }
}

/** The mode the flags and the terminal call for. */
export function progressMode(flags: { json?: boolean; noProgress?: boolean }, err: NodeJS.WritableStream = process.stderr): ProgressMode {
  if (flags.json) return 'json';
  if (flags.noProgress) return 'plain';
  return (err as NodeJS.WriteStream).isTTY ? 'tty' : 'plain';
}
