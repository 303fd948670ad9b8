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
export { describeWithRedis, redisAvailable, redisServerInstalled, startRedisServer, testRedis } from './redis-server.js';
export type { TestRedis } from './redis-server.js';
export { startTcpProxy } from './tcp-proxy.js';
export type { ProxyMode, TcpProxy } from './tcp-proxy.js';
export { exampleContract } from './example-contract.js';
export { METADATA_PATH_RESOURCE, METADATA_RESOURCE, resourceMetadataSuite } from './resource-metadata-suite.js';
export type { MetadataSuiteSetup } from './resource-metadata-suite.js';
export { readmeWalkthrough, showsOutput, walkthroughSteps } from './readme-walkthrough.js';
export type { ReadmeWalkthroughOptions, WalkthroughStep } from './readme-walkthrough.js';
export { sharedStateContract } from './shared-state-contract.js';
export type { ExampleContractOptions } from './example-contract.js';
export { installBuilt, packageDir } from './built.js';
export { fixture } from './fixtures.js';
export { peerSuite, signLikePeers } from './compat.js';
export type { PeerCase, PeerCases, PeerTokenOptions, Verdict } from './compat.js';
export { conformance } from './conformance/suite.js';
export { exampleServer } from './conformance/example-server.js';
export type { ExampleServerOptions } from './conformance/example-server.js';
export { APP_ERROR_HANDLER_HEADER, FORWARDED_TOKEN_HEADER, TOKEN_HEADER, fetchTarget, listenerTarget, serverTarget, urlTarget } from './conformance/harness.js';
export type {
  ConformanceAuthOptions,
  ConformanceDriver,
  ConformanceRequest,
  ConformanceResponse,
  ConformanceRoute,
  ConformanceSetup,
  ConformanceTarget,
} from './conformance/harness.js';
export { GUARDED_ROUTES, LARGE_TOKEN_SIZE, guardedAuthOptions } from './conformance/guarded-routes.js';
export type { GuardedAuth, GuardedRoute, GuardedRouteName, GuardBuilders } from './conformance/guarded-routes.js';
export { SCENARIOS } from './conformance/scenarios.js';
export type { Scenario } from './conformance/scenarios.js';
export { REALM } from './conformance/fixture.js';
export type { TokenName } from './conformance/fixture.js';
export { attacks, attackRequest, attackRoute } from './attacks/suite.js';
export { DPOP_EXTERNAL_URL } from './attacks/dpop.js';
export type { AttackDriver } from './attacks/suite.js';
export { ATTACKS, CONFIG_ATTACKS } from './attacks/cases.js';
export type { AttackCase, AttackInput, AttackRequest, ConfigAttack } from './attacks/cases.js';
export { ATTACK_AUDIENCE, ATTACK_ISSUERS, ATTACK_REALM, createAttackFixture } from './attacks/fixture.js';
export type { AttackAuthOptions, AttackCounters, AttackFixture, AttackIssuer, AttackRoute, AttackSetup, AttackSigner, AttackTrustedIssuer } from './attacks/fixture.js';
export { echoProbes, expectedResponse, workBound } from './attacks/outcomes.js';
export type { AttackOutcome, ExpectedResponse, WorkBound } from './attacks/outcomes.js';
export { ecdsaTwin, ed25519Twin, nonCanonical, signatureOf, withSignature } from './attacks/signatures.js';
export { FUZZ_SEED, anyText, authorizationValue, checkProperty, claimSet, fuzz, joseHeader, mutate, mutation, randomCompact, requestHeaders, tokenLike } from './attacks/fuzz.js';
export type { Mutation } from './attacks/fuzz.js';
export { faults } from './attacks/faults.js';
