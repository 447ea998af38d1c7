/** Scratch: paced tail of the floor and the gateway at one rate. */
import { placement, startNode } from './procs.js';
import { startGatewayProc, BENCH_KEY } from './gateway-proc.js';
import type { LoadResult } from './load.js';
const place = placement();
const RATE = Number(process.env.RATE ?? 1000);
const SECONDS = Number(process.env.SECONDS ?? 10);
const TARGETS = (process.env.TARGETS ?? 'floor,gateway').split(',');
const FLAGS = (process.env.GW_FLAGS ?? '').split(' ').filter(Boolean);
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You are a concise assistant.' }, { role: 'user', content: 'bench {{n}} what is the capital of France and why is it famous' }] });
const fake = startNode('fake', 'servers/fake-providers.ts', ['100'], { core: place.load });
const urls = await fake.firstJson<{ openai: string; anthropic: string; slow: string }>();
const sink = startNode('sink', 'servers/otlp-sink.ts', [], { core: place.load });
const { url: otlp } = await sink.firstJson<{ url: string }>();
async function paced(url: string, headers: Record<string, string>, name: string) {
  const spec = { url, headers: { 'content-type': 'application/json', ...headers }, body, mode: 'unique', connections: 50, seconds: SECONDS, warmupSeconds: Number(process.env.WARMUP ?? 2), rate: RATE, prefix: `${Date.now()}-${name}` };
  const p = startNode('load', 'load.ts', [JSON.stringify(spec)], { core: place.load });
  const r = await p.lastJson<LoadResult>();
  const l = r.latencyMs as unknown as Record<string, number>;
  console.log(`${name}: ${Math.round(r.rps)} rps p50 ${l.p50?.toFixed(2)} p99 ${l.p99?.toFixed(2)} p99.9 ${l.p999?.toFixed(2)} max ${l.max?.toFixed(2)} fail ${r.non2xx + r.errors}`);
}
await paced(`${urls.openai}/v1/chat/completions`, { authorization: 'Bearer sk-fake-openai' }, 'direct');
for (const t of TARGETS) {
  if (t === 'floor') {
    const floor = startNode('floor', 'servers/floor.ts', [urls.openai, '', 'sk-fake-openai'], { core: place.server });
    const { url } = await floor.firstJson<{ url: string }>();
    await paced(`${url}/v1/chat/completions`, {}, 'floor');
    await floor.stop();
  } else {
    const gw = await startGatewayProc('gw', { core: place.server, upstreams: { ...urls, otlp }, nodeFlags: ['--import', '/tmp/probe/el.mjs', ...FLAGS], env: { EL_OUT: `/tmp/probe/el-${t}.log` } });
    await paced(`${gw.url}/v1/chat/completions`, { authorization: `Bearer ${BENCH_KEY}` }, t);
    await gw.stop();
  }
}
await fake.stop(); await sink.stop();
process.exit(0);
