/**
 * The fake providers as one process: a fast OpenAI and a fast Anthropic (every answer in one
 * write), and a slow OpenAI-format server that paces stream chunks `chunkDelayMs` apart, so
 * thousands of streams stay open at once. Calls are not recorded, so memory stays flat.
 *
 *   node --import tsx bench/servers/fake-providers.ts [chunkDelayMs=100]
 * prints {"openai":"http://127.0.0.1:P","anthropic":"...","slow":"..."} and runs until SIGTERM.
 */
import { startFakeAnthropic, startFakeOpenAI } from '../../test/fakes/index.js';

export const FAKE_OPENAI_KEY = 'sk-fake-openai';
export const FAKE_ANTHROPIC_KEY = 'sk-ant-fake';

const chunkDelayMs = Number(process.argv[2] ?? 100);
const [openai, anthropic, slow] = await Promise.all([
  startFakeOpenAI({ apiKey: FAKE_OPENAI_KEY, recordCalls: false }),
  startFakeAnthropic({ apiKey: FAKE_ANTHROPIC_KEY, recordCalls: false }),
  startFakeOpenAI({ apiKey: FAKE_OPENAI_KEY, recordCalls: false, chunkDelayMs }),
]);
process.stdout.write(`${JSON.stringify({ openai: openai.url, anthropic: anthropic.url, slow: slow.url })}\n`);
process.once('SIGTERM', () => {
  void Promise.all([openai.close(), anthropic.close(), slow.close()]).then(() => process.exit(0));
});
