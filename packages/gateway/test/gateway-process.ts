/**
 * The real `llm-edge-agent` command as a child process, for the tests that need a process of
 * their own (signals, workers): started with `env` over the test's environment, and resolved
 * once its "listening" log line names its URLs.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../lib/main.js', import.meta.url));

export interface GatewayProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly metricsUrl: string;
  /** Everything it wrote to stdout and stderr so far. */
  readonly output: string;
  /** Its exit code, once it exits. */
  readonly exited: Promise<number | null>;
}

export function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [main], { env: { ...process.env, PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      output += c.toString();
      const m = /"url":"(http:[^"]+)","metrics":"(http:[^"]+)"[^\n]*"msg":"llm-edge-agent listening"/.exec(output);
      if (m) resolve({ child, url: m[1]!, metricsUrl: m[2]!, exited, get output() { return output; } });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${output}`)));
  });
}
