/** Scratch: paced sender printing per-second p50/p99/max and count of slow (>20ms) answers. */
import { Pool } from 'undici';
const [urlS, auth, rateS, secondsS] = process.argv.slice(2);
const url = new URL(urlS!);
const rate = Number(rateS); const seconds = Number(secondsS);
const pool = new Pool(url.origin, { connections: Number(process.env.CONNS ?? 50), pipelining: 1, keepAliveTimeout: 30_000 });
const body = (n: number) => JSON.stringify({ model: process.env.MODEL ?? 'gpt-4o-mini', messages: [{ role: 'system', content: 'You are a concise assistant.' }, { role: 'user', content: `bench ${Date.now()}-${n} what is the capital of France and why is it famous` }] });
const started = performance.now();
let sent = 0; const total = rate * seconds;
const buckets: number[][] = Array.from({ length: seconds + 5 }, () => []);
const slow: string[] = [];
const send = (due: number, n: number) => pool.request({ path: url.pathname, method: (process.env.METHOD ?? 'POST') as 'POST', headers: { 'content-type': 'application/json', authorization: auth!, ...(process.env.CC ? { 'cache-control': process.env.CC } : {}) }, body: process.env.METHOD === 'GET' ? undefined : body(n) }).then(async (res) => {
  for await (const _ of res.body) { /* drain */ }
  const ms = performance.now() - due;
  buckets[Math.floor((due - started) / 1000)]!.push(ms);
  if (ms > 20) slow.push(`${(due - started).toFixed(0)}:${ms.toFixed(0)}`);
});
const all: Promise<void>[] = [];
while (sent < total) {
  const now = performance.now();
  const dueCount = Math.min(total, Math.floor(((now - started) / 1000) * rate) + 1);
  while (sent < dueCount) { all.push(send(started + (sent / rate) * 1000, sent)); sent++; }
  await new Promise((r) => setTimeout(r, Math.max(0, started + (sent / rate) * 1000 - performance.now())));
}
await Promise.all(all);
for (const [i, b] of buckets.entries()) { if (!b.length) continue; b.sort((x, y) => x - y); console.log(`s${i} n=${b.length} p50 ${b[b.length >> 1]!.toFixed(1)} p99 ${b[Math.floor(b.length * 0.99)]!.toFixed(1)} max ${b.at(-1)!.toFixed(1)} >20ms ${b.filter((x) => x > 20).length}`); }
console.log('slow', slow.slice(0, 60).join(' '));
await pool.close();
