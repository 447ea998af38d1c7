/**
 * The data volume of a single-replica server (Prometheus, Grafana, Jaeger's Badger): one
 * ReadWriteOnce claim named `<name>-data`.
 */
import type { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';

export interface DataClaimProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly size: Size;
  /** @default the cluster's default storage class */
  readonly storageClassName?: string;
}

export function dataClaim(scope: Construct, { name, labels, size, storageClassName }: DataClaimProps): kplus.PersistentVolumeClaim {
  return new kplus.PersistentVolumeClaim(scope, 'Data', {
    metadata: { name: `${name}-data`, labels },
    accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
    storage: size,
    ...(storageClassName ? { storageClassName } : {}),
    volumeMode: kplus.PersistentVolumeMode.FILE_SYSTEM,
  });
}
