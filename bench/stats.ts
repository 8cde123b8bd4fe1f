/** Small statistics helpers: medians of repeated runs, latency percentiles, spread. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in [0, 1]); NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

/** (max - min) / median, as a percentage: how far repeated runs disagree. */
export function spreadPercent(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mid = median(values);
  return mid === 0 ? 0 : ((Math.max(...values) - Math.min(...values)) / mid) * 100;
}

/**
 * Latency samples in milliseconds, kept only while recording and at most `limit` of them (the
 * first ones of the window; a window is short enough that this is a fair sample).
 */
export class LatencyRecorder {
  recording = false;
  readonly #samples: number[] = [];
  readonly #limit: number;

  constructor(limit = 200_000) {
    this.#limit = limit;
  }

  add(ms: number): void {
    if (this.recording && this.#samples.length < this.#limit) this.#samples.push(ms);
  }

  get count(): number {
    return this.#samples.length;
  }

  percentile(q: number): number {
    return quantile(this.#samples, q);
  }
}
