// The fastText supervised model on hogwild: the training Job, the model file, prediction and evaluation.
export { generateCorpus, writeCorpus, type CorpusOptions } from './corpus.js';
export { buildFastTextJob, FASTTEXT_BLOBS, FASTTEXT_MODEL_BLOBS, type FastTextJob } from './FastTextJob.js';
export { buildFastTextModel, type FastTextModelOptions, type FastTextModelParts } from './model.js';
export { FastTextModel, saveFastTextModel, type FastTextTestResult } from './FastTextModel.js';
export { FastTextPredictor, PREDICT_OUTPUT, type PredictBatchOptions } from './FastTextPredictor.js';
export { Meter, type Prediction } from './metrics.js';
export { predictStream, type PredictStreamOptions, type PredictStreamResult, type StreamMode } from './predictStream.js';
export type { FastTextLoss, FastTextTrainOptions } from './options.js';
