/**
 * How the gateway authenticates to Bedrock: SigV4 (service `bedrock`, the provider's region,
 * `x-amz-security-token` for session credentials) signed with `@smithy/signature-v4` over the
 * exact host, path and body sent; or, with only a Bedrock API key, `Authorization: Bearer`.
 * The signer caches its derived signing key per day, so a request costs one body hash and two
 * HMACs.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ProviderConfig } from '../../config/schema.js';

export interface RequestSigner {
  /** The auth headers for a POST of `body` to `path` (the full path, base path included). */
  headers(path: string, body: string): Promise<Record<string, string>>;
}

/**
 * The signer a provider's config asks for: SigV4 when it has an access key and secret, else
 * the bearer token. Throws naming the field when neither is configured.
 * @example
 * const signer = bedrockSigner('bedrock', config);
 * const auth = await signer.headers('/model/amazon.nova-lite-v1%3A0/converse', body);
 */
export function bedrockSigner(name: string, config: ProviderConfig): RequestSigner {
  const host = new URL(config.baseUrl).host;
  if (config.accessKeyId && config.secretAccessKey) {
    if (!config.region) throw new Error(`providers.${name}.region: SigV4 signing needs the AWS region`);
    return new SigV4Signer(host, config.region, {
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}),
    });
  }
  if (config.bearerToken) {
    const authorization = `Bearer ${config.bearerToken}`;
    return { headers: () => Promise.resolve({ authorization }) };
  }
  throw new Error(`providers.${name}: bedrock needs accessKeyId and secretAccessKey, or bearerToken`);
}

class SigV4Signer implements RequestSigner {
  private readonly signer: SignatureV4;

  constructor(
    private readonly host: string,
    region: string,
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  ) {
    // No x-amz-content-sha256 header: Bedrock does not ask for it, and the hash is signed anyway.
    this.signer = new SignatureV4({ credentials, region, service: 'bedrock', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  }

  async headers(path: string, body: string): Promise<Record<string, string>> {
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: 'https:',
      hostname: this.host,
      path,
      query: {},
      // Exactly what goes on the wire: the upstream client sends this host and content type.
      headers: { host: this.host, 'content-type': 'application/json' },
      body,
    });
    return signed.headers as Record<string, string>;
  }
}
