/**
 * The environments the app synthesizes, sized from SEED.md's two resource tables (per component:
 * CPU cores, memory, disk; the table's figures are limits, requests are half). Table totals for
 * several pods (Redis nodes, gateway replicas) are divided per pod.
 */
import { Duration, Size } from 'cdk8s';

export interface Environment {
  /** Folder under dist/k8s/. */
  readonly name: string;
  readonly namespace: string;
  readonly gateway: { readonly replicas: number; readonly maxReplicas: number; readonly cpu: number; readonly memory: Size };
  readonly redis: {
    readonly nodes: number;
    readonly replicasPerMaster: number;
    readonly cpu: number;
    readonly memory: Size;
    readonly storageSize: Size;
  };
  readonly prometheus: { readonly cpu: number; readonly memory: Size; readonly storageSize: Size; readonly retention: Duration };
  readonly grafana: { readonly cpu: number; readonly memory: Size; readonly storageSize: Size };
  readonly jaeger: { readonly cpu: number; readonly memory: Size; readonly storageSize: Size; readonly spanTtl: Duration; readonly samplingRatio: number };
  readonly alertmanager: boolean;
  readonly logLevel: string;
}

/** SEED.md "Development/Staging": gateway 2 cores 2GB; Redis 1 core 6GB 30GB for 3 nodes; ... */
export const dev: Environment = {
  name: 'dev',
  namespace: 'llm-edge-dev',
  gateway: { replicas: 1, maxReplicas: 3, cpu: 2, memory: Size.gibibytes(2) },
  redis: { nodes: 3, replicasPerMaster: 0, cpu: 0.333, memory: Size.gibibytes(2), storageSize: Size.gibibytes(10) },
  prometheus: { cpu: 1, memory: Size.gibibytes(2), storageSize: Size.gibibytes(50), retention: Duration.days(30) },
  grafana: { cpu: 0.5, memory: Size.gibibytes(1), storageSize: Size.gibibytes(10) },
  jaeger: { cpu: 1, memory: Size.gibibytes(2), storageSize: Size.gibibytes(20), spanTtl: Duration.days(7), samplingRatio: 0.1 },
  alertmanager: false,
  logLevel: 'debug',
};

/** SEED.md "Production": gateway 3 replicas 12 cores 12GB; Redis 3 cores 6GB 100GB for 3 nodes; ... */
export const production: Environment = {
  name: 'production',
  namespace: 'llm-edge-production',
  gateway: { replicas: 3, maxReplicas: 10, cpu: 4, memory: Size.gibibytes(4) },
  redis: { nodes: 3, replicasPerMaster: 0, cpu: 1, memory: Size.gibibytes(2), storageSize: Size.gibibytes(34) },
  prometheus: { cpu: 2, memory: Size.gibibytes(4), storageSize: Size.gibibytes(200), retention: Duration.days(30) },
  grafana: { cpu: 1, memory: Size.gibibytes(2), storageSize: Size.gibibytes(20) },
  jaeger: { cpu: 2, memory: Size.gibibytes(4), storageSize: Size.gibibytes(100), spanTtl: Duration.days(7), samplingRatio: 0.1 },
  alertmanager: true,
  logLevel: 'info',
};

export const environments: readonly Environment[] = [dev, production];
