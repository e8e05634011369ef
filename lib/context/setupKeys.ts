/** Attribute keys under which setup hooks and report steps hang on nets (docs/caffe2.md §3.6). */
export const SetupKey = {
  /** Once per task, before all instances start / after all of them finish. */
  TASK_SETUP: 'task_setup',
  /** Once per task instance (thread-local). */
  TASK_INSTANCE_SETUP: 'task_instance_setup',
  /** Once per node per TaskGroup run. */
  LOCAL_SETUP: 'local_setup',
  /** Periodic steps of a task. */
  REPORT_STEP: 'report_step',
} as const;
