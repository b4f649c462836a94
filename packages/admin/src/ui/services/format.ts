/** Display formatting: durations, sizes, times. Pure functions, tested in format.test.ts. */

export function formatDuration(milliseconds: number | null | undefined): string {
  if (milliseconds === null || milliseconds === undefined || !Number.isFinite(milliseconds)) return '–';
  const ms = Math.max(0, milliseconds);
  if (ms === 0) return '0 ms';
  if (ms < 1) return '< 1 ms';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
  return `${Math.floor(ms / 86_400_000)} d ${Math.round((ms % 86_400_000) / 3_600_000)} h`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '–';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatCount(count: number | null | undefined): string {
  if (count === null || count === undefined) return '–';
  return count.toLocaleString('en-US');
}

/** `3 s ago`, `5 min ago`, `in 2 h` relative to `now`. */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '–';
  const difference = new Date(iso).getTime() - now.getTime();
  const absolute = Math.abs(difference);
  let text: string;
  if (absolute < 1_000) return 'just now';
  if (absolute < 60_000) text = `${Math.round(absolute / 1_000)} s`;
  else if (absolute < 3_600_000) text = `${Math.round(absolute / 60_000)} min`;
  else if (absolute < 86_400_000) text = `${Math.round(absolute / 3_600_000)} h`;
  else text = `${Math.round(absolute / 86_400_000)} d`;
  return difference < 0 ? `${text} ago` : `in ${text}`;
}

/** `2026-11-23 18:04:59` in local time; the full ISO time goes in a title. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A datetime-local input's value (local time, minutes) → ISO, or undefined when empty/invalid. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
