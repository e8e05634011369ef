// fastText's word vectors (cbow, skipgram) on hogwild: the training Job and its model files.
export { WORD_VECTORS_BLOBS } from './blobs.js';
export { wordVectorsBin, writeWordVectors } from './modelFile.js';
export { resolveWordVectorsOptions, type ResolvedWordVectorsOptions, type WordVectorsModel, type WordVectorsTrainOptions } from './options.js';
export { buildWordVectorsJob, type WordVectorsJob } from './WordVectorsJob.js';
export { wordVectorsCorpus, type PlantedClasses, type WordVectorsCorpusOptions } from './corpus.js';
export { classPurity, type WordVectorsTable } from './quality.js';
