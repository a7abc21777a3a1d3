/**
 * Which upstreams serve which base model. On a cluster the entries come from the platform config's `serving`
 * section (one Service per served model, named by `servingServiceName`, constructs/platform/serving-names.ts); on
 * the local platform `vpctune up --local` registers its CPU worker once it listens.
 */
import { UpstreamClient } from './upstream-client';

export interface UpstreamEntry {
  /** The base model id as clients name it (and as the upstream serves it). */
  readonly model: string;
  /** `http://host:port` of each replica or Service. */
  readonly urls: readonly string[];
}

export interface DirectoryOptions {
  /** How long a health answer is trusted, ms. @default 5000 */
  readonly healthTtlMs: number;
  /** A health probe's timeout, ms. @default 2000 */
  readonly healthTimeoutMs: number;
}

export const DEFAULT_DIRECTORY_OPTIONS: DirectoryOptions = { healthTtlMs: 5000, healthTimeoutMs: 2000 };

export class UpstreamDirectory {
  private readonly entries = new Map<string, readonly UpstreamClient[]>();
  private readonly turn = new Map<string, number>();
  private readonly health = new Map<string, { readonly up: boolean; readonly atMs: number; readonly pending?: Promise<boolean> }>();

  constructor(
    entries: readonly UpstreamEntry[] = [],
    private readonly options: DirectoryOptions = DEFAULT_DIRECTORY_OPTIONS,
    private readonly nowMs: () => number = Date.now,
  ) {
    for (const e of entries) this.register(e);
  }

  /** Adds (or replaces) the upstreams of a base model. */
  register(entry: UpstreamEntry): void {
    this.entries.set(entry.model, entry.urls.map((u) => new UpstreamClient(u.replace(/\/+$/, ''))));
  }

  /** Base models some upstream is configured to serve. */
  servedBases(): readonly string[] {
    return [...this.entries.keys()];
  }

  /** Whether a base model has upstreams configured. */
  serves(base: string): boolean {
    return (this.entries.get(base)?.length ?? 0) > 0;
  }

  /** Every upstream of a base, starting with the next in turn (round robin), for one request. */
  rotation(base: string): readonly UpstreamClient[] {
    const all = this.entries.get(base) ?? [];
    if (all.length === 0) return all;
    const start = (this.turn.get(base) ?? 0) % all.length;
    this.turn.set(base, start + 1);
    return [...all.slice(start), ...all.slice(0, start)];
  }

  /** Every upstream of a base (to unload an adapter from all of them). */
  all(base: string): readonly UpstreamClient[] {
    return this.entries.get(base) ?? [];
  }

  /** Whether at least one upstream of the base answers `/health` (answers cached for `healthTtlMs`). */
  async isUp(base: string): Promise<boolean> {
    const ups = await Promise.all((this.entries.get(base) ?? []).map((c) => this.healthOf(c)));
    return ups.some((u) => u);
  }

  /** Records that a request found an upstream unreachable, so listings say so without waiting for the next probe. */
  markDown(client: UpstreamClient): void {
    this.health.set(client.baseUrl, { up: false, atMs: this.nowMs() });
  }

  private async healthOf(client: UpstreamClient): Promise<boolean> {
    const known = this.health.get(client.baseUrl);
    if (known !== undefined && (known.pending !== undefined || this.nowMs() - known.atMs < this.options.healthTtlMs)) return known.pending ?? known.up;
    const pending = client.healthy(this.options.healthTimeoutMs);
    this.health.set(client.baseUrl, { up: known?.up ?? false, atMs: known?.atMs ?? 0, pending });
    const up = await pending;
    this.health.set(client.baseUrl, { up, atMs: this.nowMs() });
    return up;
  }
}
