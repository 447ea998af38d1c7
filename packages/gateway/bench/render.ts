/**
 * Re-renders the README's Performance section (and the text table) from `results/latest.json`,
 * optionally re-summarising CPU profiles: for when the report's wording changed, not the figures.
 *
 *   node --import tsx bench/render.ts ["gateway cache miss=/tmp/x.cpuprofile" ...]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summariseFile } from './profile.js';
import { toMarkdown, toText, writeReadmeSection, type Report } from './report.js';

const HERE = new URL('.', import.meta.url).pathname;
const latest = join(HERE, 'results/latest.json');
const report = JSON.parse(readFileSync(latest, 'utf8')) as Report;
const profiles = { ...(report.profiles ?? {}) };
for (const arg of process.argv.slice(2)) {
  const at = arg.indexOf('=');
  if (at < 1) throw new Error(`render: expected "<profile name>=<file.cpuprofile>", got "${arg}"`);
  profiles[arg.slice(0, at)] = summariseFile(arg.slice(at + 1), 25);
}
const updated: Report = { ...report, profiles };
writeFileSync(latest, `${JSON.stringify(updated, null, 2)}\n`);
writeReadmeSection(join(HERE, '../../../README.md'), toMarkdown(updated));
process.stdout.write(`${toText(updated)}\n`);
