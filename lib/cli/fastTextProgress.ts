/** How the fastText commands turn the trainer's reports into progress (see FastTextJob.report). */
import type { FastTextJob } from '../apps/fasttext/FastTextJob.js';
import type { TrainingRun } from './trainLoop.js';

/** `lossOf`, `live` and `perEpoch` for runTraining, in tokens. */
export function fastTextProgress(ft: FastTextJob): Pick<TrainingRun, 'lossOf' | 'live' | 'perEpoch' | 'report'> {
  const epochs = ft.options.epoch;
  return {
    report: ft.report,
    perEpoch: ft.tokensPerEpoch,
    lossOf: (r) => (typeof r.lossSum === 'number' ? r.lossSum / ft.batchesPerEpoch : undefined),
    live: (values, epoch) => {
      const iter = values[ft.progressBlobs.iteration] ?? 0;
      const inEpoch = Math.max(0, iter - (epoch - 1) * ft.batchesPerEpoch);
      const lossSum = values[ft.progressBlobs.lossSum];
      return {
        fraction: Math.min(1, iter / (ft.batchesPerEpoch * epochs)),
        ...(lossSum !== undefined && inEpoch > 0 ? { loss: lossSum / inEpoch } : {}),
        units: (ft.tokensPerEpoch * inEpoch) / ft.batchesPerEpoch,
      };
    },
  };
}
