// A verifier's options, checked and copied once into a plan: everything per-token work reads.
// Every mistake is a TypeError or RangeError here, naming the function the user called.

import { isChallengeText } from '../errors/challenge.js';
import type { SignatureBackend } from '../crypto/backend.js';
import { createCompactParser, type CompactParser } from '../jose/compact.js';
import { createDecryptor, type Decryptor } from '../jwe/decrypt.js';
import { REMOTE_JWKS_OPTIONS, type RemoteJwksOptions } from '../keys/remote-jwks.js';
import { ownOptions, toList } from '../internal/options.js';
import type { ClaimRules } from './claims.js';
import { createTokenCache, type TokenCache } from './token-cache.js';
import { ISSUER_OPTIONS, planIssuers, tokenTypesOf, type IssuerDirectory } from './trusted-issuers.js';
import type { RequestView } from '../adapter/request-view.js';
import type { VerifiedToken, VerifierOptions } from './types.js';

/** Everything a verifier needs per token, fixed at creation. */
export interface VerificationPlan {
  readonly realm: string;
  readonly maxTokenSize: number;
  readonly clock: () => number;
  readonly backend: SignatureBackend;
  readonly parse: CompactParser;
  readonly issuers: IssuerDirectory;
  readonly isRevoked: ((token: VerifiedToken, request?: RequestView) => boolean | Promise<boolean>) | undefined;
  readonly decryptor: Decryptor | undefined;
  readonly requireEncryption: boolean;
  readonly tokenCache: TokenCache<VerifiedToken> | undefined;
}

export const VERIFIER_OPTIONS: readonly string[] = [
  ...ISSUER_OPTIONS,
  'issuers', 'resolveIssuer', 'clockTolerance', 'maxTokenAge', 'profile', 'requiredClaims', 'requireExpiration', 'maxTokenSize',
  'decryption', 'requireEncryption', 'isRevoked', 'remote', 'cache', 'tokenCache', 'realm', 'clock',
];
const REMOTE_OPTIONS = REMOTE_JWKS_OPTIONS.filter((name) => name !== 'cache' && name !== 'clock');
const RFC9068_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

function seconds(where: string, name: string, value: unknown, fallback: number | undefined, max: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new RangeError(`${where}: ${name} must be a finite number of seconds between 0 and ${max}`);
  }
  return value;
}

function readRealm(where: string, value: unknown): string {
  const realm = value ?? 'api';
  if (typeof realm !== 'string' || realm.length === 0 || !isChallengeText(realm)) {
    throw new TypeError(`${where}: realm must be printable ASCII without quotes or backslashes`);
  }
  return realm;
}

function readMaxTokenSize(where: string, value: unknown): number {
  const size = value ?? 8192;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 64 || size > 1_048_576) {
    throw new RangeError(`${where}: maxTokenSize must be an integer between 64 and 1048576`);
  }
  return size;
}

/** The claim rules every issuer shares, and the token types they require unless an issuer says otherwise. */
function readClaimRules(where: string, options: VerifierOptions, realm: string): { rules: Omit<ClaimRules, 'audiences' | 'issuer'>; tokenTypes: ReadonlySet<string> | undefined } {
  if (options.profile !== undefined && options.profile !== 'rfc9068') throw new TypeError(`${where}: profile must be "rfc9068"`);
  const rfc9068 = options.profile === 'rfc9068';
  const requiredClaims = [...new Set([...toList(options.requiredClaims), ...(rfc9068 ? RFC9068_CLAIMS : [])])];
  if (!requiredClaims.every((c) => typeof c === 'string' && c.length > 0)) throw new TypeError(`${where}: requiredClaims must be claim names`);
  const requireExpiration = options.requireExpiration ?? true;
  if (typeof requireExpiration !== 'boolean') throw new TypeError(`${where}: requireExpiration must be a boolean`);
  return {
    tokenTypes: tokenTypesOf(where, options.tokenType ?? (rfc9068 ? 'at+jwt' : undefined)),
    rules: {
      clockTolerance: seconds(where, 'clockTolerance', options.clockTolerance, 5, 300) as number,
      maxTokenAge: seconds(where, 'maxTokenAge', options.maxTokenAge, undefined, Number.MAX_SAFE_INTEGER),
      requireExpiration,
      requiredClaims,
      realm,
    },
  };
}

/** `isRevoked` as one function: a function, or an object's `isRevoked` method (a revocation store). */
function readRevocation(where: string, check: VerifierOptions['isRevoked']): VerificationPlan['isRevoked'] {
  if (check === undefined) return undefined;
  if (typeof check === 'function') return check;
  if (typeof check === 'object' && check !== null && typeof check.isRevoked === 'function') return (token, request) => check.isRevoked(token, request);
  throw new TypeError(`${where}: isRevoked must be a function or an object with an isRevoked method`);
}

function readTokenCache(where: string, value: unknown): TokenCache<VerifiedToken> | undefined {
  if (value === false) return undefined;
  if (value !== undefined && (typeof value !== 'object' || value === null)) throw new TypeError(`${where}: tokenCache must be false or { maxEntries }`);
  const settings = ownOptions(value as { maxEntries?: number } | undefined, `${where}: tokenCache`, ['maxEntries']);
  const maxEntries = settings.maxEntries ?? 1000;
  if (!Number.isInteger(maxEntries) || maxEntries < 0 || maxEntries > 10_000_000) throw new RangeError(`${where}: tokenCache.maxEntries must be an integer from 0 to 10000000`);
  return maxEntries === 0 ? undefined : createTokenCache<VerifiedToken>(maxEntries);
}

/** Checks and copies verifier options, prepares every issuer's keys, and returns the plan. */
export function planVerification(input: VerifierOptions, backend: SignatureBackend, where: string): VerificationPlan {
  if (typeof input !== 'object' || input === null) throw new TypeError(`${where} needs an options object`);
  // Own properties only, copied now: a misspelt option is refused, an inherited one never read.
  const options = ownOptions(input, where, VERIFIER_OPTIONS) as VerifierOptions;
  const realm = readRealm(where, options.realm);
  const maxTokenSize = readMaxTokenSize(where, options.maxTokenSize);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError(`${where}: clock must be a function returning milliseconds`);
  const { rules, tokenTypes } = readClaimRules(where, options, realm);
  const decryptor = options.decryption === undefined ? undefined : createDecryptor(options.decryption, { realm, maxTokenSize });
  const requireEncryption = options.requireEncryption ?? false;
  if (typeof requireEncryption !== 'boolean') throw new TypeError(`${where}: requireEncryption must be a boolean`);
  if (requireEncryption && decryptor === undefined) throw new TypeError(`${where}: requireEncryption needs \`decryption\`: the keys that decrypt the tokens`);
  const isRevoked = readRevocation(where, options.isRevoked);
  const tokenCache = readTokenCache(where, options.tokenCache);
  const remote: RemoteJwksOptions = { ...ownOptions(options.remote, `${where}: remote`, REMOTE_OPTIONS), clock };
  const cache = options.cache === undefined ? undefined : ownOptions(options.cache, `${where}: cache`, ['jwks', 'metadata']);
  const issuers = planIssuers(options, { where, backend, rules, tokenTypes, remote, cache, clock });
  return Object.freeze({
    realm,
    maxTokenSize,
    clock,
    backend,
    parse: createCompactParser({ maxSize: maxTokenSize, backend, realm }),
    issuers,
    isRevoked,
    decryptor,
    requireEncryption,
    tokenCache,
  });
}
