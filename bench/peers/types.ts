/** What every peer adapter returns: its measurements, or why it could not run. */

export interface PeerUnavailable {
  name: string;
  available: false;
  /** "not installed: …" with the command that installs it. */
  reason: string;
}

export type PeerOutcome<T> = PeerUnavailable | ({ name: string; available: true } & T);

/** One training run of a text-classification peer. */
export interface TextPeerResult {
  /** Corpus tokens (no end-of-line tokens) × epochs / training seconds. */
  tokensPerSec: number;
  /** Training only (no loading, no evaluation). */
  trainSeconds: number;
  /** The whole process: loading, training, saving. */
  wallSeconds: number;
  /** CPU seconds of the whole process tree (user + system), when /usr/bin/time is there. */
  cpuSeconds?: number;
  peakRssBytes: number;
  /** Precision at 1 on the test split. */
  p1: number;
  version?: string;
  /** Thread pools as the peer ran (threadpoolctl), for the report. */
  threadpools?: string;
}

/** One training run of an MLP peer. */
export interface MlpPeerResult {
  examplesPerSec: number;
  trainSeconds: number;
  wallSeconds: number;
  cpuSeconds?: number;
  peakRssBytes: number;
  testAccuracy: number;
  version?: string;
  /** Thread pools as the peer ran (threadpoolctl), for the report. */
  threadpools?: string;
}

export const INSTALL_HINT = 'scripts/install-peers.sh installs it';
