/**
 * SHA-256 for the hot path (cache keys, API keys). Node 20.12+ has a one-shot `crypto.hash`
 * that skips the Hash object `createHash` builds; older Node 20 releases fall back to it.
 */
import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string, encoding: 'hex' | 'buffer') => string | Buffer;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

export const sha256Hex: (text: string) => string = oneShot
  ? (text) => oneShot('sha256', text, 'hex') as string
  : (text) => crypto.createHash('sha256').update(text).digest('hex');

export const sha256: (text: string) => Buffer = oneShot
  ? (text) => oneShot('sha256', text, 'buffer') as Buffer
  : (text) => crypto.createHash('sha256').update(text).digest();
