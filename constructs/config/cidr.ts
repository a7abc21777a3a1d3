/**
 * IPv4 CIDR arithmetic for the network layout. The VPC CIDR is split into four equal quarters: three
 * hold the private node subnets (one per availability zone, where pods get VPC IPs too), the fourth is cut
 * into four again for the small public subnets that hold only NAT gateways.
 */

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
}

/** Smallest VPC prefix AWS allows (largest network). */
export const MIN_VPC_PREFIX = 16;
/** Largest VPC prefix we accept: three private subnets of /22 (1,019 usable IPs each) for nodes and pods. */
export const MAX_VPC_PREFIX = 20;

/** Parses `a.b.c.d/n`; returns an error sentence instead of throwing. */
export function parseCidr(text: string): Cidr | string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (m === null) return 'is not an IPv4 CIDR block like 10.42.0.0/16';
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255)) return 'has an octet above 255';
  if (prefix > 32) return 'has a prefix length above 32';
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 32 - prefix;
  if (base % 2 ** hostBits !== 0) {
    return `has host bits set; the network address is ${formatCidr({ base: base - (base % 2 ** hostBits), prefix })}`;
  }
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(c.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${c.prefix}`;
}

/** The `index`-th subnet of `extraBits` more prefix bits inside `parent`. */
export function subnet(parent: Cidr, extraBits: number, index: number): Cidr {
  const prefix = parent.prefix + extraBits;
  if (index < 0 || index >= 2 ** extraBits) throw new RangeError(`subnet index ${index} out of range for ${extraBits} extra bits`);
  return { base: parent.base + index * 2 ** (32 - prefix), prefix };
}

export interface SubnetLayout {
  readonly privateSubnets: readonly string[];
  readonly publicSubnets: readonly string[];
}

/** Private and public subnets for `zoneCount` availability zones (at most 3). */
export function deriveSubnets(vpcCidr: string, zoneCount: number): SubnetLayout {
  const parsed = parseCidr(vpcCidr);
  if (typeof parsed === 'string') throw new Error(`network.cidr "${vpcCidr}" ${parsed}`);
  if (zoneCount < 1 || zoneCount > 3) throw new RangeError(`zoneCount ${zoneCount} must be 1 to 3`);
  const zones = [...Array(zoneCount).keys()];
  const publicQuarter = subnet(parsed, 2, 3);
  return {
    privateSubnets: zones.map((i) => formatCidr(subnet(parsed, 2, i))),
    publicSubnets: zones.map((i) => formatCidr(subnet(publicQuarter, 2, i))),
  };
}
