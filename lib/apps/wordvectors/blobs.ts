/** Stable blob names of the word-vectors model (the dictionary shares the fastText name, so fastText's model tools read it). */
export const WORD_VECTORS_BLOBS = Object.freeze({
  dictionary: 'fasttext/train/dictionary',
  input: 'wordvectors/input_w',
  output: 'wordvectors/output_w',
  progress: 'wordvectors/progress',
  negatives: 'wordvectors/negatives',
  discard: 'wordvectors/discard',
  rowOffsets: 'wordvectors/row_offsets',
  rows: 'wordvectors/rows',
});
