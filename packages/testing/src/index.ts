/**
 * Test helpers shared by every jwt-gate package (not published): keys and tokens minted with
 * jose, a real local JWKS server, and the adapter conformance suite.
 *
 * @module
 */

export { createTestKey, signToken, randomSecret, b64url, rawToken, hmacRaw } from './keys.js';
export type { TestAlgorithm, TestKey, SignTokenOptions } from './keys.js';
export { startJwksServer } from './jwks-server.js';
export type { JwksBehaviour, JwksServer } from './jwks-server.js';
export { freePort, rawRequest, startProcess } from './process.js';
export type { RawResponse, StartedProcess } from './process.js';
export { exampleContract } from './example-contract.js';
export type { ExampleContractOptions } from './example-contract.js';
export { installBuilt, packageDir } from './built.js';
export { fixture } from './fixtures.js';
