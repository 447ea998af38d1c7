/**
 * The Entra ID bearer token for Azure OpenAI: given as it is (`adToken`), or read from a file
 * (`adTokenFile`) that something else keeps fresh (a workload-identity sidecar, a cron'd
 * `az account get-access-token`). The file is re-read only when its modification time or size
 * changes, so a steady token costs one `stat` per request, not a read.
 */
import { readFileSync, statSync } from 'node:fs';
import { ProviderErrorReason } from '@llm-edge/semconv';
import { UpstreamError } from '../upstream-error.js';

export class EntraToken {
  private cached: { readonly stamp: string; readonly token: string } | undefined;

  constructor(
    private readonly provider: string,
    private readonly source: { readonly token?: string; readonly file?: string },
  ) {}

  /** The current token. @throws UpstreamError when the file is missing or empty (the gateway's credentials failing). */
  current(): string {
    if (this.source.token !== undefined) return this.source.token;
    const file = this.source.file!;
    let stamp: string;
    try {
      const stat = statSync(file);
      stamp = `${stat.mtimeMs}:${stat.size}`;
      if (this.cached?.stamp === stamp) return this.cached.token;
      const token = readFileSync(file, 'utf8').trim();
      if (token === '') throw new Error('empty');
      this.cached = { stamp, token };
      return token;
    } catch {
      // Named by its field, never by its content: the path is configuration, the token a secret.
      throw new UpstreamError(this.provider, ProviderErrorReason.client, 'cannot read the Entra ID token file (adTokenFile)', undefined, undefined, undefined);
    }
  }
}
