/** Small helpers for the benchmark: percentiles, number formatting and the printed lines. */

export type Summary = { count: number; mean: number; p50: number; p95: number; p99: number; max: number };

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  const sum = list.reduce((a, b) => a + b, 0);
  return {
    count: list.length,
    mean: round(list.length ? sum / list.length : NaN),
    p50: round(percentile(list, 50)),
    p95: round(percentile(list, 95)),
    p99: round(percentile(list, 99)),
    max: round(list.at(-1) ?? NaN),
  };
}

/** Three significant digits are plenty for anything a benchmark reports. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}

export const ratio = (value: number, floor: number): number => (floor > 0 ? Math.round((value / floor) * 100) / 100 : NaN);

export const ms = (value: number): string => `${round(value)} ms`;

export const perSec = (count: number, elapsedMs: number): number => (elapsedMs > 0 ? (count * 1000) / elapsedMs : NaN);

/** `label` padded to one column, then the figures. */
export function line(label: string, ...figures: string[]): string {
  return `${label.padEnd(44)}${figures.join('  ')}`;
}

/** A bench setting from the environment: a non-negative integer, or `fallback` when unset. */
export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}
