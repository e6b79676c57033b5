/** Minimal Prometheus counters and histograms, rendered in the text exposition format. */
type Labels = Record<string, string>;

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());
const fmt = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '\\$&')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: string[],
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    const cur = this.#values.get(k) ?? { labels, value: 0 };
    cur.value += by;
    this.#values.set(k, cur);
  }
  get(labels: Labels = {}): number {
    return this.#values.get(key(labels))?.value ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.#values.values()) lines.push(`${this.name}${fmt(labels)} ${value}`);
    return lines.join('\n');
  }
}

/** A counter kept elsewhere (e.g. a batcher's totals), read when rendered. */
export class ReadCounter implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly read: () => Array<{ labels: Labels; value: number }>,
  ) {}
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.read()) lines.push(`${this.name}${fmt(labels)} ${value}`);
    return lines.join('\n');
  }
}

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Histogram implements Metric {
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: string[],
    readonly buckets: number[] = DEFAULT_BUCKETS,
  ) {}
  observe(labels: Labels, seconds: number): void {
    const k = key(labels);
    const s = this.#series.get(k) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((b, i) => {
      if (seconds <= b) s.counts[i]++;
    });
    s.sum += seconds;
    s.count++;
    this.#series.set(k, s);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.#series.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${fmt({ ...s.labels, le: String(b) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${fmt({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${fmt(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${fmt(s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

export class Gauge implements Metric {
  #value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly read?: () => number,
  ) {}
  set(v: number): void {
    this.#value = v;
  }
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read?.() ?? this.#value}`].join('\n');
  }
}

export function renderMetrics(metrics: Metric[]): string {
  return metrics.map((m) => m.render()).join('\n') + '\n';
}
