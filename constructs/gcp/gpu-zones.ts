import { Accelerator } from '../catalog';
import { gcpGpuZones } from '../catalog/gcp-sku-data';

/**
 * The zones a GPU pool's nodes go in: the configured zones that sell the accelerator, or every zone of the region that
 * sells it (catalog), or, where the catalog does not know the region, the configured zones (undefined: the cluster's).
 * Throws naming the zones that do sell it when the configured ones have none of them.
 */
export function gpuPoolZones(poolName: string, region: string, accelerator: Accelerator, configured?: readonly string[]): readonly string[] | undefined {
  const selling = gcpGpuZones(region, accelerator);
  if (selling === undefined) return configured;
  if (configured === undefined) return selling;
  const zones = configured.filter((z) => selling.includes(z));
  if (zones.length === 0) {
    throw new Error(`GpuNodePool ${poolName}: none of network.availabilityZones (${configured.join(', ')}) sells ${accelerator}; ${region} zones that do: ${selling.join(', ')}`);
  }
  return zones;
}
