/**
 * Passes a server-sent-events stream through event by event, unchanged, and reports the `usage` of the chunk that
 * carries it. When the controller asked the upstream for usage on the client's behalf (the client did not set
 * `stream_options.include_usage`), the usage-only chunk (`choices: []`) is left out, so the client gets the stream it
 * asked for.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { CompletionBody, Usage } from './upstream-contract';

const EVENT_END = '\n\n';

export interface SseUsageTapOptions {
  /** Leave out the chunk that only carries usage. */
  readonly dropUsageChunk: boolean;
  readonly onUsage: (usage: Usage) => void;
}

export class SseUsageTap extends Transform {
  private pending = '';

  constructor(private readonly options: SseUsageTapOptions) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending += chunk.toString('utf8');
    let out = '';
    let end = this.pending.indexOf(EVENT_END);
    while (end >= 0) {
      const event = this.pending.slice(0, end + EVENT_END.length);
      this.pending = this.pending.slice(end + EVENT_END.length);
      if (this.keep(event)) out += event;
      end = this.pending.indexOf(EVENT_END);
    }
    done(null, out === '' ? undefined : out);
  }

  override _flush(done: TransformCallback): void {
    done(null, this.pending === '' ? undefined : this.pending);
  }

  /** Whether the event goes to the client; records its usage. Only events that mention a usage object are parsed. */
  private keep(event: string): boolean {
    if (!/"usage":\s*\{/.test(event) || !event.startsWith('data: {')) return true;
    let chunk: CompletionBody;
    try {
      chunk = JSON.parse(event.slice('data: '.length)) as CompletionBody;
    } catch {
      return true;
    }
    if (chunk.usage === undefined || chunk.usage === null) return true;
    this.options.onUsage(chunk.usage);
    return !(this.options.dropUsageChunk && Array.isArray(chunk.choices) && chunk.choices.length === 0);
  }
}
