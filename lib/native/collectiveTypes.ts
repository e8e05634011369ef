/** The addon's hook for the collective ops (Allreduce, Broadcast, Barrier). */
export interface CollectiveBinding {
  /** Installs the process group lent by hogwild_gloo.node (an external), or none (null). */
  setCollectiveBackend(backend: unknown): void;
}
