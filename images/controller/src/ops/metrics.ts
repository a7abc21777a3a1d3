/**
 * A small Prometheus text-format registry: request latency histogram, counters, and gauges collected at scrape time.
 * Every label value comes from a closed set (route templates, status codes, error codes), never from a request's path,
 * so the number of series stays bounded whatever clients send.
 */

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Readonly<Record<string, string>>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

interface Series {
  readonly labels: Labels;
  readonly counts: number[];
  sum: number;
  count: number;
}

/** One metric at scrape time. @default type 'gauge' */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type?: 'gauge' | 'counter';
  readonly samples: readonly { readonly labels: Labels; readonly value: number }[];
}

export type GaugeCollector = () => Promise<readonly MetricFamily[]>;

interface Counter {
  readonly help: string;
  readonly values: Map<string, { readonly labels: Labels; value: number }>;
}

export class MetricsRegistry {
  private readonly latency = new Map<string, Series>();
  private readonly counters = new Map<string, Counter>();
  private readonly collectors: GaugeCollector[] = [];

  /** Adds one to counter `name` (declared with `help` on first use) for `labels`. */
  increment(name: string, help: string, labels: Labels): void {
    let c = this.counters.get(name);
    if (c === undefined) this.counters.set(name, (c = { help, values: new Map() }));
    const key = labelText(labels);
    const v = c.values.get(key);
    if (v === undefined) c.values.set(key, { labels, value: 1 });
    else v.value += 1;
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    const key = `${method} ${route} ${status}`;
    let s = this.latency.get(key);
    if (s === undefined) this.latency.set(key, (s = { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i += 1) if (seconds <= (BUCKETS[i] ?? 0)) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += seconds;
    s.count += 1;
  }

  addCollector(collector: GaugeCollector): void {
    this.collectors.push(collector);
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    for (const collect of this.collectors) {
      for (const g of await collect()) {
        lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} ${g.type ?? 'gauge'}`);
        for (const s of g.samples) lines.push(`${g.name}${labelText(s.labels)} ${s.value}`);
      }
    }
    for (const [counter, c] of this.counters) {
      lines.push(`# HELP ${counter} ${c.help}`, `# TYPE ${counter} counter`);
      for (const v of c.values.values()) lines.push(`${counter}${labelText(v.labels)} ${v.value}`);
    }
    const name = 'vpctune_http_request_duration_seconds';
    lines.push(`# HELP ${name} API request latency by method, route and status.`, `# TYPE ${name} histogram`);
    for (const s of this.latency.values()) {
      BUCKETS.forEach((b, i) => lines.push(`${name}_bucket${labelText({ ...s.labels, le: String(b) })} ${s.counts[i] ?? 0}`));
      lines.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${name}_sum${labelText(s.labels)} ${s.sum}`, `${name}_count${labelText(s.labels)} ${s.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
