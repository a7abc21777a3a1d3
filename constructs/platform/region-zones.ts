/** Zones named after their region plus a letter: `us-east-1a` (AWS, separator ''), `us-central1-a` (GCP, '-'). */
export function lettersAfterRegion(region: string, separator: string): { readonly pattern: RegExp; readonly example: string } {
  const literal = `${region}${separator}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { pattern: new RegExp(`^${literal}[a-z]$`), example: `${region}${separator}a` };
}
