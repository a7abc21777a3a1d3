import {
  Accelerator,
  Cloud,
  describeOffer,
  findSku,
  GpuSku,
  Interconnect,
  isoToday,
  notSoldReason,
  skuByInstanceType,
  skusFor,
  supportedKubernetesVersions,
} from '../catalog';
import { CLOUD_PROFILES, cloudProfile } from '../platform/cloud-profiles';
import { MAX_VPC_PREFIX, MIN_VPC_PREFIX, parseCidr } from './cidr';
import { ConfigIssue, show } from './issues';
import { NetworkEgress } from './schema';
import { servingIssues } from './serving-config';

/**
 * Rules that need several fields or the catalog. They read the raw input defensively (a field of the wrong
 * type is the schema's error, reported once there), so schema and rule errors are collected together.
 */

export interface RuleOptions {
  /** ISO date deciding which Kubernetes versions are supported. @default today */
  readonly today?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCloud = (v: unknown): v is Cloud => Object.values(Cloud).includes(v as Cloud);
const isAccelerator = (v: unknown): v is Accelerator => Object.values(Accelerator).includes(v as Accelerator);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export function crossFieldIssues(input: unknown, options: RuleOptions = {}): ConfigIssue[] {
  if (!isObj(input)) return [];
  const issues: ConfigIssue[] = [];
  const add = (path: string, value: unknown, message: string): void => {
    issues.push({ path, value, message });
  };
  const cloud = isCloud(input.cloud) ? input.cloud : undefined;

  const profile = cloud !== undefined ? cloudProfile(cloud) : undefined;

  // Region format per cloud.
  const regionOk = profile !== undefined && typeof input.region === 'string' && profile.region.pattern.test(input.region);
  if (profile !== undefined && typeof input.region === 'string' && !regionOk) {
    add('region', input.region, `${show(input.region)} is not a valid ${profile.cloud} region (like ${profile.region.example})`);
  }

  issues.push(...servingIssues(input));

  // Network.
  const network = isObj(input.network) ? input.network : undefined;
  if (network !== undefined && typeof network.cidr === 'string') {
    const parsed = parseCidr(network.cidr);
    if (typeof parsed === 'string') add('network.cidr', network.cidr, `${show(network.cidr)} ${parsed}`);
    else if (parsed.prefix < MIN_VPC_PREFIX || parsed.prefix > MAX_VPC_PREFIX) {
      const why = parsed.prefix > MAX_VPC_PREFIX ? 'is too small for three private node subnets of at least /22 plus NAT subnets' : `is larger than the /${MIN_VPC_PREFIX} a VPC allows`;
      add('network.cidr', network.cidr, `${show(network.cidr)} ${why}; allowed: /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}`);
    }
  }
  if (network !== undefined && Array.isArray(network.availabilityZones) && profile !== undefined && regionOk) {
    const region = input.region as string;
    const zone = profile.zone(region);
    const seen = new Set<string>();
    network.availabilityZones.forEach((az, i) => {
      if (typeof az !== 'string') return;
      if (!zone.pattern.test(az)) add(`network.availabilityZones[${i}]`, az, `${show(az)} is not a zone of region ${region} (like ${zone.example})`);
      if (seen.has(az)) add(`network.availabilityZones[${i}]`, az, `${show(az)} is listed twice`);
      seen.add(az);
    });
  }
  if (network?.egress === NetworkEgress.NONE && profile !== undefined) {
    if (!profile.supportsNoEgress) {
      add('network.egress', 'none', `is not available on ${profile.cloud} yet: its stack needs a NAT gateway for images and cloud APIs; allowed: nat`);
    } else if (network.natGateways !== undefined) {
      add('network.natGateways', network.natGateways, 'has no effect when network.egress is none (no NAT gateway is created); remove it');
    }
  }

  // Kubernetes.
  const k8s = isObj(input.kubernetes) ? input.kubernetes : undefined;
  if (cloud !== undefined && k8s !== undefined && typeof k8s.version === 'string') {
    const today = options.today ?? isoToday();
    const supported = supportedKubernetesVersions(cloud, today).map((v) => v.version);
    if (!supported.includes(k8s.version)) {
      add('kubernetes.version', k8s.version, `${show(k8s.version)} is not supported by ${cloud} on ${today}; supported: ${supported.join(', ') || 'none listed'}`);
    }
  }
  if (k8s !== undefined) {
    const cidrs = Array.isArray(k8s.publicAccessCidrs) ? k8s.publicAccessCidrs : undefined;
    if (k8s.publicEndpoint === true) {
      if (cidrs === undefined || cidrs.length === 0) {
        add('kubernetes.publicAccessCidrs', cidrs, 'is required when publicEndpoint is true: list the CIDRs allowed to reach the API (0.0.0.0/0 is not allowed)');
      }
    } else if (cidrs !== undefined) {
      add('kubernetes.publicAccessCidrs', cidrs, 'has no effect unless kubernetes.publicEndpoint is true; remove it or enable the public endpoint');
    }
    cidrs?.forEach((c, i) => {
      if (typeof c !== 'string') return;
      const parsed = parseCidr(c);
      if (typeof parsed === 'string') add(`kubernetes.publicAccessCidrs[${i}]`, c, `${show(c)} ${parsed}`);
      else if (parsed.prefix === 0) add(`kubernetes.publicAccessCidrs[${i}]`, c, `${show(c)} opens the API to the whole internet; list your VPN or office CIDRs`);
    });
    if (k8s.adminRoleArn !== undefined && profile !== undefined && !profile.acceptsAdminRoleArn) {
      add('kubernetes.adminRoleArn', k8s.adminRoleArn, `is an AWS IAM role and cannot be used with cloud ${cloud}`);
    }
  }

  // System pool.
  const sys = isObj(input.systemPool) ? input.systemPool : undefined;
  if (sys !== undefined && isInt(sys.minNodes) && isInt(sys.maxNodes) && sys.minNodes > sys.maxNodes) {
    add('systemPool.minNodes', sys.minNodes, `minNodes ${sys.minNodes} can't be greater than maxNodes ${sys.maxNodes}`);
  }

  // Fields a cloud owns (the gcp and azure blocks, their backends' fields): each profile's own rules.
  if (cloud !== undefined) {
    for (const owner of Object.values(CLOUD_PROFILES)) issues.push(...owner.configIssues(input, cloud));
  }

  // GPU pools.
  if (Array.isArray(input.gpuPools)) {
    const names = new Map<string, number>();
    input.gpuPools.forEach((pool, i) => {
      if (!isObj(pool)) return;
      const at = `gpuPools[${i}]`;
      if (typeof pool.name === 'string') {
        // The cloud decides what a pool name may be; without a valid cloud (the schema's error) only uniqueness is checked.
        const rule = profile?.poolName;
        if (rule !== undefined && !rule.pattern.test(pool.name)) add(`${at}.name`, pool.name, `${show(pool.name)} is not a valid ${cloud} node pool name; allowed: ${rule.allowed}`);
        else if (pool.name === 'system') add(`${at}.name`, pool.name, '"system" is reserved for the CPU system node group; choose another name');
        const first = names.get(pool.name);
        if (first !== undefined) add(`${at}.name`, pool.name, `${show(pool.name)} is already the name of gpuPools[${first}]; pool names must be unique`);
        else names.set(pool.name, i);
      }
      const min = isInt(pool.minNodes) ? pool.minNodes : 0;
      if (isInt(pool.maxNodes) && min > pool.maxNodes) {
        add(`${at}.minNodes`, min, `minNodes ${min} can't be greater than maxNodes ${pool.maxNodes}`);
      }
      if (cloud !== undefined && isAccelerator(pool.gpu) && isInt(pool.gpusPerNode)) {
        issues.push(...shapeIssues(at, cloud, pool.gpu, pool.gpusPerNode, pool));
      }
    });
  }
  return issues;
}

/** Whether the cloud sells this pool's shape, and whether the pool's extra asks fit that shape. */
function shapeIssues(at: string, cloud: Cloud, gpu: Accelerator, gpusPerNode: number, pool: Obj): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const offers = `${cloud} offers: ${describeOffer(cloud)}`;
  if (skusFor(cloud, gpu).length === 0) {
    const why = notSoldReason(cloud, gpu);
    issues.push({ path: `${at}.gpu`, value: gpu, message: `${cloud} does not sell ${gpu}${why ? ` (${why.reason})` : ''}; ${offers}` });
    return issues;
  }
  let sku: GpuSku | undefined = findSku(cloud, gpu, gpusPerNode);
  if (sku === undefined) {
    const why = notSoldReason(cloud, gpu, gpusPerNode);
    issues.push({
      path: `${at}.gpusPerNode`,
      value: gpusPerNode,
      message: `${cloud} does not sell ${gpu} with ${gpusPerNode} GPU${gpusPerNode === 1 ? '' : 's'} per node${why ? ` (${why.reason})` : ''}; ${offers}`,
    });
    return issues;
  }
  if (typeof pool.instanceType === 'string') {
    const named = skuByInstanceType(cloud, pool.instanceType);
    if (named === undefined || named.accelerator !== gpu || named.gpuCount !== gpusPerNode) {
      const allowed = skusFor(cloud, gpu).filter((s) => s.gpuCount === gpusPerNode).map((s) => s.instanceType);
      issues.push({
        path: `${at}.instanceType`,
        value: pool.instanceType,
        message: `${show(pool.instanceType)} is not one of the ${cloud} instance types with ${gpusPerNode} ${gpu}; allowed: ${allowed.join(', ')}`,
      });
      return issues;
    }
    sku = named;
  }
  if (pool.efa === true && sku.interconnect === Interconnect.NONE) {
    const withFabric = skusFor(cloud, gpu).filter((s) => s.interconnect !== Interconnect.NONE).map((s) => s.instanceType);
    issues.push({
      path: `${at}.efa`,
      value: true,
      message: `${sku.instanceType} has no EFA/InfiniBand; ${gpu} shapes with it: ${withFabric.join(', ') || 'none'}`,
    });
  }
  if (sku.spotOnly === true && pool.capacity !== 'spot') {
    issues.push({
      path: `${at}.capacity`,
      value: pool.capacity ?? 'on-demand',
      message: `${sku.instanceType} is sold only as spot capacity; set capacity: spot`,
    });
  }
  return issues;
}
