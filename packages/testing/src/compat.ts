import { readFileSync } from 'node:fs';
import { SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';

/** How jwt-gate answers one test of a peer's own suite. */
export type Verdict = 'met' | 'differs';

/** One test of a peer's suite, named like the peer names it (its describe blocks, then its title). */
export interface PeerCase {
  readonly name: string;
  readonly verdict: Verdict;
}

/** What a compatibility suite registers its cases with. */
export interface PeerCases {
  /** The peer's describe block: the cases registered inside belong to it. */
  group(name: string, body: () => void): void;
  /** A peer test whose behaviour jwt-gate meets; `check` asserts it through jwt-gate. */
  met(title: string, check: () => Promise<void> | void): void;
  /** A peer test jwt-gate answers otherwise on purpose; `check` asserts jwt-gate's own answer. */
  differs(title: string, reason: string, check: () => Promise<void> | void): void;
}

/** A table row of a migration guide: `| name | met |` or `| name | differs |`, then notes. */
const ROW = /^\| (.+?) \| (met|differs) \|/;

/**
 * Registers one peer's compatibility suite: its tests, each marked met or differing on purpose,
 * and a last test holding the migration guide to them. The guide must list every case as a
 * table row (`| <group> › <title> | met | ... |`) with its verdict, nothing more, and state the
 * count as `**<met> of <total>**`.
 *
 * @example
 * ```ts
 * peerSuite('express-jwt', guide, ({ group, met, differs }) => {
 *   group('jwt.test.ts › failure tests', () => {
 *     met('should throw if audience is not expected', async () => { ... });
 *   });
 * });
 * ```
 */
export function peerSuite(peer: string, guide: URL, body: (cases: PeerCases) => void): void {
  describe(`${peer}: its own tests, through jwt-gate`, () => {
    const recorded: PeerCase[] = [];
    const groups: string[] = [];
    const record = (title: string, verdict: Verdict) => {
      const name = [...groups, title].join(' › ');
      if (recorded.some((known) => known.name === name)) throw new Error(`two cases named "${name}"`);
      recorded.push({ name, verdict });
    };
    body({
      group(name, inner) {
        // vitest runs a describe body after its parent's: the path is taken now, restored then.
        const path = [...groups, name];
        describe(name, () => {
          const outer = groups.splice(0, groups.length, ...path);
          try {
            inner();
          } finally {
            groups.splice(0, groups.length, ...outer);
          }
        });
      },
      met(title, check) {
        record(title, 'met');
        it(`met: ${title}`, check);
      },
      differs(title, reason, check) {
        record(title, 'differs');
        it(`differs: ${title} (${reason})`, check);
      },
    });

    it(`the migration guide lists every ${peer} case with its verdict and the count`, () => {
      const text = readFileSync(guide, 'utf8');
      const prefixes = new Set(recorded.map((known) => known.name.split(' › ')[0] as string));
      const listed = text
        .split('\n')
        .map((line) => ROW.exec(line))
        .filter((match): match is RegExpExecArray => match !== null && prefixes.has((match[1] as string).split(' › ')[0] as string))
        .map((match) => ({ name: match[1] as string, verdict: match[2] as Verdict }));
      expect(listed).toEqual(recorded);
      const met = recorded.filter((known) => known.verdict === 'met').length;
      expect(text).toContain(`**${met} of ${recorded.length}**`);
    });
  });
}

/** Options of {@link signLikePeers}. */
export interface PeerTokenOptions {
  /** The HMAC algorithm. Default HS256. */
  alg?: 'HS256' | 'HS384' | 'HS512';
  /** `iat`, as jsonwebtoken adds it; `null` leaves it out, as hono's `sign` does. Default now. */
  iat?: number | null;
  /** Header members beside `alg` and `typ: JWT`. */
  header?: Partial<JWTHeaderParameters>;
}

/**
 * An HMAC token shaped like those the peers' tests sign with jsonwebtoken or hono's `sign`:
 * `typ: JWT`, no `kid`, `iat` unless left out, and no `exp` unless the claims give one.
 */
export function signLikePeers(secret: string | Uint8Array, claims: JWTPayload & Record<string, unknown>, options: PeerTokenOptions = {}): Promise<string> {
  const { alg = 'HS256', iat = Math.floor(Date.now() / 1000), header = {} } = options;
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT({ ...(iat === null ? {} : { iat }), ...claims }).setProtectedHeader({ ...header, alg, typ: 'JWT' }).sign(key);
}
