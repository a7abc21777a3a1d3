import { h } from '../dom';
import type { JobStatus } from '../types';

export function statusBadge(status: JobStatus): HTMLSpanElement {
  return h('span', { class: `badge status-${status}`, 'data-status': status }, status.replace('_', ' '));
}
