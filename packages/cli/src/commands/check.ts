// `jwt-gate check ISSUER`: fetches the issuer's metadata and JWKS as a verifier with
// `discovery: true` would, and reports what would make verification fail, then asks the core's
// own verifier to load the same keys.

import { Command } from 'commander';
import { createVerifier, isAuthError } from '@jwt-gate/core';
import { action, withOutput, type OutputFlags } from '../command.js';
import { fetchDocument, timeoutOf, type Fetched } from '../fetch.js';
import { CliError, EXIT, out, outputFor, paint, printJson, safe, table, type Output } from '../output.js';
import { describeKey, KEY_ALGORITHMS, reviewKeys, type KeyReview, type Problem } from '../review.js';

interface CheckFlags extends OutputFlags {
  metadataUrl?: string;
  timeout?: string;
  strict?: boolean;
}

/** Prints problems, errors first. */
export function printProblems(output: Output, problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  const sorted = [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  out(
    'Problems',
    ...table(
      sorted.map((problem) => [
        problem.severity === 'error' ? paint(output.color, 'red', '✗ error') : paint(output.color, 'yellow', '! warning'),
        problem.code,
        safe(problem.message),
      ]),
    ),
  );
}

// A loop, since /\/+$/ is quadratic on a long run of slashes.
function withoutTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return text.slice(0, end);
}

// Where a verifier looks for metadata: OpenID Connect Discovery §4 appends to the issuer,
// RFC 8414 §3.1 inserts between host and path.
function metadataUrls(issuer: URL): string[] {
  const path = withoutTrailingSlashes(issuer.pathname);
  return [`${issuer.origin}${path}/.well-known/openid-configuration`, `${issuer.origin}/.well-known/oauth-authorization-server${path}`];
}

const loopback = (url: URL): boolean => url.hostname === 'localhost' || url.hostname === '[::1]' || url.hostname.startsWith('127.');

function parseUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

// Why two issuer strings differ, for the usual slips.
function mismatchHint(expected: string, presented: string): string {
  if (withoutTrailingSlashes(expected) === withoutTrailingSlashes(presented)) return ' (they differ by a trailing slash: use the metadata\'s exact value)';
  if (expected.toLowerCase() === presented.toLowerCase()) return ' (they differ in case)';
  if (expected.replace(/^https?:/, '') === presented.replace(/^https?:/, '')) return ' (they differ in scheme)';
  return '';
}

interface Report {
  issuer: string;
  metadataUrl: string | null;
  jwksUri: string | null;
  keys: KeyReview[];
  problems: Problem[];
  unavailable: boolean;
  verifier: 'loaded the keys' | 'failed' | 'not run';
}

async function inspectSetup(issuer: string, issuerUrl: URL, flags: CheckFlags, timeout: number): Promise<Report> {
  const report: Report = { issuer, metadataUrl: null, jwksUri: null, keys: [], problems: [], unavailable: false, verifier: 'not run' };
  const problem = (severity: Problem['severity'], code: string, message: string) => report.problems.push({ severity, code, message });
  const get = async (url: string, what: string): Promise<Fetched | undefined> => {
    try {
      return await fetchDocument(url, what, timeout);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      report.unavailable = true;
      problem('error', `${what === 'JWKS' ? 'jwks' : 'metadata'}-unavailable`, error.message);
      return undefined;
    }
  };

  if (issuerUrl.protocol === 'http:' && !loopback(issuerUrl)) problem('warning', 'issuer-http', 'the issuer is served over plain http: metadata and keys can be swapped in transit');

  // The metadata, from the first location that has it.
  const urls = flags.metadataUrl === undefined ? metadataUrls(issuerUrl) : [flags.metadataUrl];
  let metadata: Fetched | undefined;
  for (const url of urls) {
    const fetched = await get(url, 'metadata');
    if (fetched === undefined) return report;
    if (fetched.status === 404 || fetched.status === 410) continue;
    if (fetched.status < 200 || fetched.status > 299) {
      report.unavailable = true;
      problem('error', 'metadata-unavailable', `${url} answered ${fetched.status}`);
      return report;
    }
    report.metadataUrl = url;
    metadata = fetched;
    break;
  }
  if (metadata === undefined) {
    problem('error', 'metadata-not-found', `no metadata at ${urls.join(' or ')}: is the issuer exactly right?`);
    return report;
  }
  if (new URL(metadata.url).origin !== new URL(report.metadataUrl as string).origin) {
    problem('error', 'redirect-other-origin', `the metadata redirects to another origin (${metadata.url}); the verifier follows redirects within one origin only`);
  }
  const doc = metadata.json as Record<string, unknown> | undefined;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    problem('error', 'metadata-invalid', `${report.metadataUrl} is not a JSON object`);
    return report;
  }

  if (doc['issuer'] !== issuer) {
    const presented = typeof doc['issuer'] === 'string' ? doc['issuer'] : undefined;
    problem(
      'error',
      'issuer-mismatch',
      presented === undefined
        ? 'the metadata names no issuer; the verifier takes no keys from it'
        : `the metadata names issuer ${JSON.stringify(presented)}, not ${JSON.stringify(issuer)}${mismatchHint(issuer, presented)}; the verifier takes no keys from it, and tokens carry the metadata's value`,
    );
  }

  const advertised = doc['id_token_signing_alg_values_supported'];
  if (Array.isArray(advertised) && advertised.length > 0) {
    const refused = advertised.filter((alg) => !(KEY_ALGORITHMS as readonly unknown[]).includes(alg));
    if (refused.length === advertised.length) {
      problem('error', 'algorithm-refused', `every advertised signing algorithm (${refused.map(String).join(', ')}) is refused by the verifier`);
    } else if (refused.length > 0) {
      problem('warning', 'algorithm-refused', `tokens signed with ${refused.map(String).join(', ')} will be refused (the verifier accepts ${KEY_ALGORITHMS.join(', ')}; never none, and never HMAC with published keys)`);
    }
  }

  const jwksText = doc['jwks_uri'];
  const jwksUrl = typeof jwksText === 'string' ? parseUrl(jwksText) : undefined;
  if (typeof jwksText !== 'string') {
    problem('error', 'jwks-uri-missing', 'the metadata has no jwks_uri');
    return report;
  }
  if (jwksUrl === undefined) {
    problem('error', 'jwks-uri-invalid', 'jwks_uri is not an absolute http(s) URL');
    return report;
  }
  report.jwksUri = jwksUrl.href;
  const metadataOrigin = new URL(report.metadataUrl as string);
  if (jwksUrl.protocol === 'http:' && metadataOrigin.protocol === 'https:') {
    problem('error', 'jwks-uri-http', 'jwks_uri is plain http while the metadata is https: the verifier refuses it (OpenID Connect Discovery §3)');
  } else if (jwksUrl.protocol === 'http:' && !loopback(jwksUrl)) {
    problem('warning', 'jwks-uri-http', 'jwks_uri is plain http: the keys can be swapped in transit');
  }
  if (jwksUrl.host !== issuerUrl.host) {
    problem('warning', 'jwks-uri-other-host', `jwks_uri is on another host (${jwksUrl.host}) than the issuer (${issuerUrl.host}): make sure that host is the provider's own`);
  }

  const jwks = await get(jwksUrl.href, 'JWKS');
  if (jwks === undefined) return report;
  if (jwks.status < 200 || jwks.status > 299) {
    report.unavailable = true;
    problem('error', 'jwks-unavailable', `${jwksUrl.href} answered ${jwks.status}`);
    return report;
  }
  if (new URL(jwks.url).origin !== jwksUrl.origin) {
    problem('error', 'redirect-other-origin', `the JWKS redirects to another origin (${jwks.url}); the verifier follows redirects within one origin only`);
  }
  const keys = (jwks.json as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys)) {
    problem('error', 'jwks-invalid', `${jwksUrl.href} is not a JWKS: expected {"keys":[...]}`);
    return report;
  }
  const reviewed = reviewKeys(keys);
  report.keys = reviewed.keys;
  report.problems.push(...reviewed.problems);
  return report;
}

// The verifier's own attempt, with the middleware's settings: it must load the same keys.
async function verifierLoads(issuer: string, flags: CheckFlags, timeout: number): Promise<string | undefined> {
  try {
    const verifier = createVerifier({ issuer, audience: null, discovery: flags.metadataUrl ?? true, remote: { timeout }, tokenCache: false });
    await verifier.ready();
    return undefined;
  } catch (error) {
    const cause = isAuthError(error) && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return isAuthError(error) ? `${error.code}${cause}` : (error as Error).message;
  }
}

async function check(issuer: string, flags: CheckFlags): Promise<number> {
  const output = outputFor(flags);
  const issuerUrl = parseUrl(issuer);
  if (issuerUrl === undefined) throw new CliError('ISSUER must be an absolute http(s) URL, exactly as tokens carry it in iss');
  if (flags.metadataUrl !== undefined && parseUrl(flags.metadataUrl) === undefined) throw new CliError('--metadata-url must be an absolute http(s) URL');
  const timeout = timeoutOf(flags.timeout);

  const report = await inspectSetup(issuer, issuerUrl, flags, timeout);
  if (!report.unavailable && !report.problems.some((problem) => problem.severity === 'error')) {
    const failure = await verifierLoads(issuer, flags, timeout);
    report.verifier = failure === undefined ? 'loaded the keys' : 'failed';
    if (failure !== undefined) report.problems.push({ severity: 'error', code: 'verifier-failed', message: `the verifier could not load the keys: ${failure}` });
  }

  const errors = report.problems.filter((problem) => problem.severity === 'error').length;
  const warnings = report.problems.length - errors;
  const code = report.unavailable ? EXIT.unavailable : errors > 0 || (flags.strict === true && warnings > 0) ? EXIT.refused : EXIT.ok;
  if (output.json) {
    const { unavailable, ...rest } = report;
    printJson({ ok: code === EXIT.ok, unavailable, errors, warnings, ...rest });
    return code;
  }
  out(
    ...table([
      ['Issuer', safe(issuer)],
      ['Metadata', safe(report.metadataUrl ?? '-')],
      ['JWKS', safe(report.jwksUri ?? '-')],
      ['Verifier', report.verifier],
    ], ''),
  );
  if (report.keys.length > 0) {
    const status = { usable: paint(output.color, 'green', 'usable'), refused: paint(output.color, 'red', 'refused'), skipped: paint(output.color, 'dim', 'skipped (encryption key)') };
    out('Keys', ...table(report.keys.map((key) => [safe(key.kid ?? '(no kid)'), safe(describeKey(key)), status[key.status]])));
  }
  printProblems(output, report.problems);
  const usable = report.keys.filter((key) => key.status === 'usable').length;
  if (code === EXIT.ok) {
    out(paint(output.color, 'green', `✓ The verifier can use ${usable} key${usable === 1 ? '' : 's'} of this issuer${warnings > 0 ? `; ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}.`));
  } else {
    out(paint(output.color, 'red', `✗ ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${report.unavailable ? ': the setup could not be fetched' : ''}.`));
  }
  return code;
}

/** The `check` command. */
export function checkCommand(): Command {
  return withOutput(
    new Command('check')
      .description("fetch an issuer's discovery metadata and JWKS, and report what would break verification")
      .argument('<issuer>', 'the issuer, exactly as tokens carry it in iss')
      .option('--metadata-url <url>', 'the metadata document, where it is not at the well-known locations')
      .option('--timeout <duration>', 'give up on each fetch after this long (default 5s)')
      .option('--strict', 'warnings fail too (exit 1)'),
    [
      'jwt-gate check https://example.eu.auth0.com/',
      'jwt-gate check https://login.microsoftonline.com/TENANT/v2.0 --json',
      'jwt-gate check https://keycloak.example.com/realms/main --strict   # in CI',
    ],
  ).action(action(check));
}
