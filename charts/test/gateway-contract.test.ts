/**
 * What the EdgeAgent construct assumes about the gateway it deploys, checked against the gateway
 * itself: its drain defaults (which size the pod's grace period) are the gateway's own, and the
 * config file it renders from `keys` and `teams`, with the Secrets mounted where the projected
 * volume puts them, is one the gateway loads.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { EdgeAgent, GATEWAY_CONFIG_DIR, GATEWAY_DRAIN_DEFAULTS } from '@llm-edge/charts';
import { ConfigSchema, loadConfig } from '@llm-edge/gateway';
import { describe, expect, it } from 'vitest';

describe('EdgeAgent and the gateway', () => {
  it('sizes the grace period from the gateway\'s real drain defaults', () => {
    const { drainDelayMs, shutdownTimeoutMs } = ConfigSchema.parse({}).server;
    expect(GATEWAY_DRAIN_DEFAULTS).toEqual({ drainDelayMs, shutdownTimeoutMs });
  });

  it('loads the config EdgeAgent renders from keys and teams, with each key read from its mounted Secret', () => {
    // GIVEN an EdgeAgent with a team and two keys (one Secret holds a key, the other a digest)
    const chart = new Chart(Testing.app(), 'test', { namespace: 'test', disableResourceNameHashes: true });
    new EdgeAgent(chart, 'Gateway', {
      teams: [{ id: 'platform', budget: { usd: 100, period: 'month' } }],
      keys: [
        { id: 'ci-bot', secret: { name: 'keys', key: 'ci-bot' }, team: 'platform', models: ['gpt-4o-mini'], limits: { requestsPerMinute: 60 }, budget: { usd: 5, period: 'day' } },
        { id: 'partner', secret: { name: 'partner', key: 'digest' } },
      ],
    });
    const objects = Testing.synth(chart) as Array<{ kind: string; data?: Record<string, string>; spec?: any }>;
    const configYaml = objects.find((o) => o.kind === 'ConfigMap')!.data!['config.yaml']!;
    const volume = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'config');
    // WHEN the projected volume is laid out as the kubelet would (in a temp dir for /etc/llm-edge)
    const secrets: Record<string, Record<string, string>> = {
      keys: { 'ci-bot': 'sk-ci-bot-secret' },
      partner: { digest: `sha256:${createHash('sha256').update('sk-partner').digest('hex')}` },
    };
    const dir = mkdtempSync(join(tmpdir(), 'edge-agent-config-'));
    try {
      for (const source of volume.projected.sources) {
        for (const item of source.configMap?.items ?? []) writeFileSync(join(dir, item.path), configYaml.replaceAll(GATEWAY_CONFIG_DIR, dir));
        for (const item of source.secret?.items ?? []) {
          mkdirSync(join(dir, 'keys'), { recursive: true });
          writeFileSync(join(dir, item.path), `${secrets[source.secret.name]![item.key]}\n`);
        }
      }
      // THEN the gateway loads it: keys from the files, team, allow-list, limits and budgets as given
      const config = loadConfig({ LLM_EDGE_CONFIG: join(dir, 'config.yaml') });
      expect(config.auth.teams).toEqual([{ id: 'platform', budget: { usd: 100, period: 'month' } }]);
      expect(config.auth.keys.map((k) => [k.id, k.key, k.team, k.models, k.limits, k.budget])).toEqual([
        ['ci-bot', 'sk-ci-bot-secret', 'platform', ['gpt-4o-mini'], { requestsPerMinute: 60 }, { usd: 5, period: 'day' }],
        ['partner', secrets.partner!.digest, undefined, undefined, {}, undefined],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
