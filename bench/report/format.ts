/** Number formatting shared by the Markdown and SVG reports. */

export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Three significant digits, for values spanning orders of magnitude (µs, ms). */
export function sig(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return fmt(value, Math.min(digits, 3));
}

export function ratio(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}x`;
}

export function bytes(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 10_240 ? `${fmt(value / 1024, 1)} KiB` : `${fmt(value)} B`;
}
