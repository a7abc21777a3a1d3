import { formatCidr, parseCidr, subnet } from '../config/cidr';

/** The GKE address plan carved out of the config's `network.cidr` (/16 to /20). */
export interface GkeRanges {
  /** Secondary range for pods: the first half (a /17 of a /16: 512 nodes at 64 pods each). */
  readonly pods: string;
  /** The node subnet's primary range: the third quarter. */
  readonly nodes: string;
  /** Secondary range for Services: the seventh eighth. */
  readonly services: string;
  /** The control plane's /28 at the start of the last eighth (private endpoint peering range). */
  readonly controlPlane: string;
}

/**
 * Splits the config CIDR into non-overlapping node, pod, Service and control-plane ranges; the rest of the last eighth
 * stays free. Throws with the field name when the CIDR is not a network address.
 */
export function gkeRanges(cidr: string): GkeRanges {
  const parsed = parseCidr(cidr);
  if (typeof parsed === 'string') throw new Error(`network.cidr "${cidr}" ${parsed}`);
  const lastEighth = subnet(parsed, 3, 7);
  return {
    pods: formatCidr(subnet(parsed, 1, 0)),
    nodes: formatCidr(subnet(parsed, 2, 2)),
    services: formatCidr(subnet(parsed, 3, 6)),
    controlPlane: formatCidr({ base: lastEighth.base, prefix: 28 }),
  };
}
