/**
 * Tokens in and out per project, counted from the upstreams' `usage` (in memory: Prometheus counters, which reset with
 * the process as counters do). Exported on /metrics as `vpctune_inference_tokens_total{project,type}` and
 * `vpctune_inference_requests_total{project,status}`.
 */
import type { MetricFamily } from '../ops/metrics';
import type { Usage } from './upstream-contract';

export class UsageMeter {
  private readonly tokens = new Map<string, { prompt: number; completion: number }>();
  private readonly requests = new Map<string, number>();

  recordUsage(projectId: string, usage: Usage): void {
    const t = this.tokens.get(projectId) ?? { prompt: 0, completion: 0 };
    t.prompt += usage.prompt_tokens;
    t.completion += usage.completion_tokens;
    this.tokens.set(projectId, t);
  }

  recordRequest(projectId: string, status: number): void {
    const key = `${projectId}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** Tokens of one project so far. */
  usageOf(projectId: string): { readonly prompt: number; readonly completion: number } {
    return { ...(this.tokens.get(projectId) ?? { prompt: 0, completion: 0 }) };
  }

  families(): readonly MetricFamily[] {
    return [
      {
        name: 'vpctune_inference_tokens_total',
        help: 'Inference tokens by project: prompt (in) and completion (out), from the upstreams\' usage.',
        type: 'counter',
        samples: [...this.tokens.entries()].flatMap(([project, t]) => [
          { labels: { project, type: 'prompt' }, value: t.prompt },
          { labels: { project, type: 'completion' }, value: t.completion },
        ]),
      },
      {
        name: 'vpctune_inference_requests_total',
        help: 'Inference requests by project and answered status.',
        type: 'counter',
        samples: [...this.requests.entries()].map(([key, value]) => {
          const [project = '', status = ''] = key.split('\u0000');
          return { labels: { project, status }, value };
        }),
      },
    ];
  }
}
