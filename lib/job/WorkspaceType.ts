/**
 * Where the tasks of a group run (docs/caffe2.md §3.3). GLOBAL: directly in the
 * session's node workspace, so the blobs they create persist across runs.
 * PRIVATE: each run gets a fresh child workspace, dropped after the run; writes
 * to blobs that already exist in the parent (and task outputs) still land there.
 *
 * @example
 * const init = new TaskGroup({ workspaceType: WorkspaceType.GLOBAL });
 */
export const WorkspaceType = {
  PRIVATE: 'private',
  GLOBAL: 'global',
} as const;

export type WorkspaceType = (typeof WorkspaceType)[keyof typeof WorkspaceType];
