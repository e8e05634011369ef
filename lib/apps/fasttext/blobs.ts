/** Stable blob names of the fastText model (the same in every run, so checkpoints and model files agree). */
export const FASTTEXT_BLOBS = Object.freeze({
  dictionary: 'fasttext/train/dictionary',
  input: 'fasttext/input_w',
  output: 'fasttext/output_w',
  bias: 'fasttext/output_b',
  iteration: 'optimizer_iteration',
  lossSum: 'fasttext/loss_sum',
});

/** Names of the blobs a model file holds, in order. */
export const FASTTEXT_MODEL_BLOBS: readonly string[] = [FASTTEXT_BLOBS.dictionary, FASTTEXT_BLOBS.input, FASTTEXT_BLOBS.output, FASTTEXT_BLOBS.bias];
