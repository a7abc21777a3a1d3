import { newId } from '../domain/ids';
import type { EventLevel, EventType } from '../domain/records';
import type { NewEvent } from '../store/store';

/** A job event in OpenAI's wording ("Fine-tuning job started", "Step 3/20: training loss=1.23", …). */
export function jobEvent(createdAt: number, message: string, options: { level?: EventLevel; type?: EventType; data?: Readonly<Record<string, unknown>> } = {}): NewEvent {
  return { id: newId('ftevent'), createdAt, level: options.level ?? 'info', type: options.type ?? 'message', message, data: options.data ?? null };
}
