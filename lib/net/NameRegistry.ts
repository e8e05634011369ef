/**
 * Net-name counters (docs/caffe2.md §1.2). Caffe2 kept one process-global counter
 * per base name, so names depended on everything built earlier in the process.
 * Here every Job owns a registry: the same building code yields the same net
 * and blob names in any process, whatever was built before (checkpoints are
 * keyed by blob name, so resuming in a new process depends on it).
 * Code built outside any Job uses a process-wide default registry.
 *
 * @example
 * const names = new NameRegistry();
 * names.nextNetName('train'); // 'train'
 * names.nextNetName('train'); // 'train_1'
 */
export class NameRegistry {
  private readonly _counters = new Map<string, number>();
  private readonly _used = new Set<string>();

  /** `base` the first time, then `base_1`, `base_2`, … (never a name already handed out). */
  nextNetName(base: string): string {
    let idx = this._counters.get(base) ?? 0;
    let name = idx === 0 ? base : `${base}_${idx}`;
    while (this._used.has(name)) {
      idx += 1;
      name = `${base}_${idx}`;
    }
    this._counters.set(base, idx + 1);
    this._used.add(name);
    return name;
  }

  /** Forgets every name (Caffe2's `Net._reset_used_names()`). */
  reset(): void {
    this._counters.clear();
    this._used.clear();
  }

  /** The registry of the active Job (or of the active TaskGroup's Job), else the process default. */
  static current(): NameRegistry {
    return provider() ?? defaultRegistry;
  }

  /** The process-wide registry used outside any Job. */
  static readonly processDefault: NameRegistry = new NameRegistry();
}

const defaultRegistry = NameRegistry.processDefault;
let provider: () => NameRegistry | undefined = () => undefined;

/** @internal Job.ts installs the lookup (avoids an import cycle). */
export function setNameRegistryProvider(fn: () => NameRegistry | undefined): void {
  provider = fn;
}
