// The fastText supervised model on hogwild: the training Job, the model file, prediction and evaluation.
export { generateCorpus, writeCorpus, corpusLabel, type CorpusOptions } from './corpus.js';
export { buildFastTextJob, FASTTEXT_BLOBS, FASTTEXT_MODEL_BLOBS, type FastTextJob } from './FastTextJob.js';
export {
  FASTTEXT_MODEL_FORMAT,
  FastTextModel,
  modelFileOf,
  resolveModelPath,
  saveFastTextModel,
  type FastTextTestResult,
} from './FastTextModel.js';
export { formatG, formatPredictions, Meter, topK, type Prediction } from './metrics.js';
export { FASTTEXT_LOSSES, resolveFastTextOptions, type FastTextLoss, type FastTextTrainOptions, type ResolvedFastTextOptions } from './options.js';
