import { useEffect, useRef, useState } from 'react';
import type { ThroughputResponse } from '../../shared/api-types.js';
import { formatCount } from '../services/format.js';

/**
 * Finished jobs per time bucket as stacked bars (succeeded below, failed and cancelled above), drawn
 * as plain SVG. Each bar has a <title> with its numbers, read by screen readers and shown on hover.
 */
export function ThroughputChart({ data }: { data: ThroughputResponse }) {
  // Drawn at the container's real width, so that text keeps its size at any window width.
  const container = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(720);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(320, Math.round(entry!.contentRect.width))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const height = 180;
  const padding = { top: 12, right: 8, bottom: 24, left: 44 };
  const innerWidth = width - padding.left - padding.right;
  const innerHeight = height - padding.top - padding.bottom;
  const max = Math.max(1, ...data.buckets.map((bucket) => bucket.succeeded + bucket.failed + bucket.cancelled));
  const niceMax = niceCeiling(max);
  const barWidth = innerWidth / data.buckets.length;
  const y = (value: number) => (value / niceMax) * innerHeight;
  const ticks = [0, niceMax / 2, niceMax];
  const labelEvery = Math.ceil(data.buckets.length / Math.max(2, Math.floor(innerWidth / 110)));
  const totals = data.buckets.reduce(
    (sum, bucket) => ({ succeeded: sum.succeeded + bucket.succeeded, failed: sum.failed + bucket.failed, cancelled: sum.cancelled + bucket.cancelled }),
    { succeeded: 0, failed: 0, cancelled: 0 },
  );
  const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <figure className="chart" ref={container}>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={`Finished jobs: ${totals.succeeded} succeeded, ${totals.failed} failed, ${totals.cancelled} cancelled`}>
        {ticks.map((tick) => (
          <g key={tick}>
            <line className="chart-grid" x1={padding.left} x2={width - padding.right} y1={padding.top + innerHeight - y(tick)} y2={padding.top + innerHeight - y(tick)} />
            <text className="chart-label" x={padding.left - 6} y={padding.top + innerHeight - y(tick) + 4} textAnchor="end">
              {formatCount(tick)}
            </text>
          </g>
        ))}
        {data.buckets.map((bucket, index) => {
          const x = padding.left + index * barWidth + Math.min(1, barWidth * 0.1);
          const w = Math.max(1, barWidth - Math.min(2, barWidth * 0.2));
          const base = padding.top + innerHeight;
          const ok = y(bucket.succeeded);
          const bad = y(bucket.failed);
          const off = y(bucket.cancelled);
          return (
            <g key={bucket.start}>
              <title>{`${time(bucket.start)}: ${bucket.succeeded} succeeded, ${bucket.failed} failed, ${bucket.cancelled} cancelled`}</title>
              <rect className="bar-hit" x={padding.left + index * barWidth} y={padding.top} width={barWidth} height={innerHeight} />
              {ok > 0 ? <rect className="bar-succeeded" x={x} y={base - ok} width={w} height={ok} /> : null}
              {bad > 0 ? <rect className="bar-failed" x={x} y={base - ok - bad} width={w} height={bad} /> : null}
              {off > 0 ? <rect className="bar-cancelled" x={x} y={base - ok - bad - off} width={w} height={off} /> : null}
              {index % labelEvery === 0 ? (
                <text className="chart-label" x={padding.left + index * barWidth} y={height - 6}>
                  {time(bucket.start)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        <span><i className="swatch swatch-succeeded" /> succeeded {formatCount(totals.succeeded)}</span>
        <span><i className="swatch swatch-failed" /> failed {formatCount(totals.failed)}</span>
        <span><i className="swatch swatch-cancelled" /> cancelled {formatCount(totals.cancelled)}</span>
        <span className="muted">per {data.bucketSeconds >= 3600 ? `${data.bucketSeconds / 3600} h` : `${data.bucketSeconds / 60} min`}</span>
      </figcaption>
    </figure>
  );
}

/**
 * The top of the axis: the smallest "nice" number at or above the largest bar (1, 1.2, 1.5, 2,
 * 2.5, 3, 4, 5, 6, 8 × a power of ten), so that the tallest bar fills most of the height; small
 * counts round up to an even number so that the middle tick is a whole job.
 */
export function niceCeiling(value: number): number {
  if (value <= 10) return Math.max(2, Math.ceil(value / 2) * 2);
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}
