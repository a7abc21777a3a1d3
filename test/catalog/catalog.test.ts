import {
  Accelerator,
  ALL_ACCELERATORS,
  ALL_CLOUDS,
  acceleratorSpec,
  Cloud,
  describeOffer,
  findSku,
  GPU_SKUS,
  gpuCountsSold,
  Interconnect,
  latestKubernetesVersion,
  NOT_SOLD,
  notSoldReason,
  skuByInstanceType,
  supportedKubernetesVersions,
} from '../../constructs/catalog';

describe('accelerator catalog', () => {
  test('every (cloud, accelerator, GPU count) sold has exactly one default shape', () => {
    // GIVEN every shape in the table
    const defaults = new Map<string, number>();
    for (const s of GPU_SKUS) {
      const key = `${s.cloud}/${s.accelerator}/${s.gpuCount}`;
      defaults.set(key, (defaults.get(key) ?? 0) + (s.defaultForCount ? 1 : 0));
    }
    // THEN each combination has one default
    for (const [key, count] of defaults) expect(`${key}: ${count}`).toBe(`${key}: 1`);
  });

  test('rows are self-consistent: GPU memory from the accelerator, spot below on-demand, https sources, ISO dates', () => {
    for (const s of GPU_SKUS) {
      expect(s.gpuMemoryGiB).toBe(acceleratorSpec(s.accelerator).memoryGiB);
      expect(s.spotSnapshot.usdPerHour).toBeGreaterThan(0);
      expect(s.spotSnapshot.usdPerHour).toBeLessThan(s.onDemand.usdPerHour);
      expect(s.onDemand.source.url).toMatch(/^https:\/\//);
      expect(s.spotSnapshot.source.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(s.vcpus).toBeGreaterThan(0);
      expect(s.memoryGiB).toBeGreaterThan(0);
    }
  });

  test('instance type names are unique per cloud', () => {
    const names = GPU_SKUS.map((s) => `${s.cloud}/${s.instanceType}`);
    expect(new Set(names).size).toBe(names.length);
  });

  test('no shape is listed that a not-sold statement denies', () => {
    for (const n of NOT_SOLD) {
      const sold = GPU_SKUS.filter(
        (s) => s.cloud === n.cloud && s.accelerator === n.accelerator && (n.gpuCounts === undefined || n.gpuCounts.includes(s.gpuCount)),
      );
      expect(sold.map((s) => s.instanceType)).toEqual([]);
    }
  });

  test('every accelerator is either sold or explicitly not sold on every cloud', () => {
    for (const cloud of ALL_CLOUDS) {
      for (const a of ALL_ACCELERATORS) {
        const sold = gpuCountsSold(cloud, a).length > 0;
        expect(`${cloud}/${a}: ${sold || notSoldReason(cloud, a) !== undefined}`).toBe(`${cloud}/${a}: true`);
      }
    }
  });

  test('GCP sells no A10G or L40S; Azure sells no A10G or L40S', () => {
    expect(gpuCountsSold(Cloud.GCP, Accelerator.A10G)).toEqual([]);
    expect(gpuCountsSold(Cloud.GCP, Accelerator.L40S)).toEqual([]);
    expect(gpuCountsSold(Cloud.AZURE, Accelerator.A10G)).toEqual([]);
    expect(gpuCountsSold(Cloud.AZURE, Accelerator.L40S)).toEqual([]);
    expect(notSoldReason(Cloud.AZURE, Accelerator.A10G)?.reason).toMatch(/A10, a different part/);
  });

  test('Azure sells the A100 40 GB only as the 8-GPU ND96asr_v4, and H100 80 GB only as ND96isr_H100_v5', () => {
    expect(gpuCountsSold(Cloud.AZURE, Accelerator.A100_40GB)).toEqual([8]);
    expect(findSku(Cloud.AZURE, Accelerator.A100_40GB, 8)?.instanceType).toBe('Standard_ND96asr_v4');
    expect(gpuCountsSold(Cloud.AZURE, Accelerator.H100)).toEqual([8]);
    expect(notSoldReason(Cloud.AZURE, Accelerator.H100, 1)?.reason).toMatch(/94 GB H100 NVL, not the 80 GB H100/);
    expect(GPU_SKUS.some((s) => /NC\d+ads_H100_v5/.test(s.instanceType))).toBe(false);
  });

  test('AWS default shapes per accelerator', () => {
    expect(findSku(Cloud.AWS, Accelerator.A10G, 1)?.instanceType).toBe('g5.2xlarge');
    expect(findSku(Cloud.AWS, Accelerator.L40S, 4)?.instanceType).toBe('g6e.12xlarge');
    expect(findSku(Cloud.AWS, Accelerator.A100_40GB, 8)?.instanceType).toBe('p4d.24xlarge');
    expect(findSku(Cloud.AWS, Accelerator.A100_80GB, 8)?.instanceType).toBe('p4de.24xlarge');
    expect(findSku(Cloud.AWS, Accelerator.H100, 8)?.interconnect).toBe(Interconnect.EFA);
    expect(findSku(Cloud.AWS, Accelerator.H100, 2)).toBeUndefined();
    expect(skuByInstanceType(Cloud.AWS, 'g5.48xlarge')?.gpuCount).toBe(8);
  });

  test('describeOffer lists what a cloud sells, for error messages', () => {
    expect(describeOffer(Cloud.AWS)).toBe('A10G x1, x4, x8; L40S x1, x4, x8; A100-40GB x8; A100-80GB x8; H100 x1, x8');
    expect(describeOffer(Cloud.AZURE)).toBe('A100-40GB x8; A100-80GB x1, x2, x4, x8; H100 x8');
    expect(describeOffer(Cloud.GCP)).toBe('A100-40GB x1, x2, x4, x8, x16; A100-80GB x1, x2, x4, x8; H100 x1, x2, x4, x8');
  });

  test('peak bf16 and bandwidth are present for the estimator', () => {
    expect(acceleratorSpec(Accelerator.H100).peakBf16DenseTflops).toBe(989);
    expect(acceleratorSpec(Accelerator.A100_80GB).memoryBandwidthGBps).toBe(2039);
    for (const a of ALL_ACCELERATORS) expect(acceleratorSpec(a).bf16).toBe(true);
  });

  test('Kubernetes versions supported on a given day, and the newest as default', () => {
    // GIVEN 2026-11-22: EKS 1.31 is in extended support until 2026-11-26; GKE 1.34 ended on 2026-10-01
    expect(supportedKubernetesVersions(Cloud.AWS, '2026-11-22').map((v) => v.version)).toEqual(['1.31', '1.32', '1.33', '1.34', '1.35']);
    expect(supportedKubernetesVersions(Cloud.AWS, '2026-11-27').map((v) => v.version)).toEqual(['1.32', '1.33', '1.34', '1.35']);
    expect(supportedKubernetesVersions(Cloud.GCP, '2026-11-22').map((v) => v.version)).toEqual(['1.35']);
    expect(latestKubernetesVersion(Cloud.AZURE, '2026-11-22')).toBe('1.35');
    expect(() => latestKubernetesVersion(Cloud.GCP, '2030-01-01')).toThrow(
      'the catalog lists no Kubernetes version gcp supports on 2030-01-01; refresh constructs/catalog/kubernetes-version-data.ts',
    );
  });
});
