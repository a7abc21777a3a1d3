/** Time source; tests may replace it. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
