import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors/auth-error.js';
import { extractToken, hasBearerScheme, type ExtractOptions, type RequestView } from './extract.js';
import { nodeRequestView } from './request-view.js';

// What an extraction may answer: a token, null, or a 400 AuthError. Anything else thrown fails.
type Answer = { token: string | null } | { code: string };

function answer(run: () => string | null): Answer {
  try {
    return { token: run() };
  } catch (error) {
    if (!isAuthError(error)) throw error;
    expect(error.status).toBe(400);
    return { code: error.code };
  }
}

const view = (headers: Record<string, string | readonly string[] | undefined>): RequestView => ({ header: (name) => headers[name] });

// Header values built from the pieces that matter to the syntax: scheme names in any case,
// spaces, tabs, commas, quotes, padding and token characters.
const piece = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'DPoP', ' ', '  ', '\t', ',', ', ', '=', '==', '"', 'abc', 'a.b.c', 'x-y_z~', '+/', 'é', '!', '');
const headerValue = fc.oneof(fc.array(piece, { maxLength: 8 }).map((parts) => parts.join('')), fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 20 }));
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const TOKEN68_SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?: |$)/;

describe('extractToken on generated requests', () => {
  it('gives exactly one answer per Authorization value: the b64token after "Bearer ", null, or a 400', () => {
    fc.assert(
      fc.property(headerValue, (value) => {
        const result = answer(() => extractToken(view({ authorization: value })));
        if ('token' in result && result.token !== null) {
          // A token comes only from "Bearer " (any case, one space) and a whole b64token.
          expect(hasBearerScheme(value)).toBe(true);
          expect(result.token).toBe(value.slice(7));
          expect(B64TOKEN.test(result.token)).toBe(true);
        }
        if (hasBearerScheme(value) && B64TOKEN.test(value.slice(7))) expect(result).toEqual({ token: value.slice(7) });
        // A value not even starting with a scheme is malformed; an empty one carries nothing.
        if (value === '') expect(result).toEqual({ token: null });
        else if (!TOKEN68_SCHEME.test(value)) expect('code' in result).toBe(true);
        // Anything that names Bearer and is not one clean credential is refused, never ignored.
        if (/^bearer(?: |$)/i.test(value) && !(hasBearerScheme(value) && B64TOKEN.test(value.slice(7)))) expect('code' in result).toBe(true);
        // Another scheme alone (no comma to hide a second credential) is no bearer token.
        if (!value.includes(',') && TOKEN68_SCHEME.test(value) && !/^bearer(?: |$)/i.test(value) && !/[\s,]bearer\s/i.test(value)) expect(result).toEqual({ token: null });
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses two Authorization values, joined by a comma or apart, whatever their schemes', () => {
    const credential = fc.tuple(fc.constantFrom('Bearer', 'bearer', 'Basic', 'DPoP'), fc.stringMatching(/^[A-Za-z0-9]{1,12}$/)).map(([s, c]) => `${s} ${c}`);
    fc.assert(
      fc.property(credential, credential, fc.constantFrom(',', ', ', ' , ', ',\t'), (a, b, comma) => {
        fc.pre(/bearer/i.test(a) || /bearer/i.test(b));
        expect(answer(() => extractToken(view({ authorization: [a, b] })))).toEqual({ code: 'ERR_MULTIPLE_TOKENS' });
        expect(answer(() => extractToken(view({ authorization: `${a}${comma}${b}` })))).toEqual({ code: 'ERR_MULTIPLE_TOKENS' });
      }),
    );
  });

  it('never answers with more than one token, over every transport together', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/);
    fc.assert(
      fc.property(
        fc.option(fc.oneof(token.map((t) => `Bearer ${t}`), headerValue), { nil: undefined }),
        fc.option(fc.oneof(token, token.map((t) => `bearer ${t}`), headerValue), { nil: undefined }),
        fc.option(fc.oneof(token.map((t) => `at=${t}`), token.map((t) => `a=1; at="${t}"`), fc.string({ maxLength: 20 })), { nil: undefined }),
        fc.option(token, { nil: undefined }),
        (authorization, named, cookie, supplied) => {
          const options: ExtractOptions = { header: 'x-token', cookie: 'at', ...(supplied === undefined ? {} : { supplied }) };
          const headers = { authorization, 'x-token': named, cookie };
          const result = answer(() => extractToken(view(headers), options));
          const alone = [
            answer(() => extractToken(view({ authorization }))),
            answer(() => extractToken(view({ 'x-token': named }), { header: 'x-token' })),
            answer(() => extractToken(view({ cookie }), { cookie: 'at' })),
            answer(() => extractToken(view({}), { supplied: supplied ?? null })),
          ];
          const refused = alone.find((a) => 'code' in a);
          const tokens = alone.flatMap((a) => ('token' in a && a.token !== null ? [a.token] : []));
          if (refused !== undefined) expect('code' in result).toBe(true);
          else if (tokens.length > 1) expect(result).toEqual({ code: 'ERR_MULTIPLE_TOKENS' });
          else expect(result).toEqual({ token: tokens[0] ?? null });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses Authorization sent twice in Node raw lines, in any letter case, and reads it once otherwise', () => {
    const caseOf = (name: string) => fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
    const line = fc.oneof(
      fc.tuple(caseOf('authorization'), fc.constant('Bearer a.b.c')),
      fc.tuple(fc.constantFrom('Host', 'Authorizations', 'X-Authorization', 'Accept'), fc.constant('x')),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 5 }), (lines) => {
        const rawHeaders = lines.flat();
        const sent = lines.filter(([name]) => name.toLowerCase() === 'authorization').length;
        const headers = sent > 0 ? { authorization: 'Bearer a.b.c' } : {};
        const result = answer(() => extractToken(nodeRequestView({ headers, rawHeaders })));
        if (sent > 1) expect(result).toEqual({ code: 'ERR_MULTIPLE_TOKENS' });
        else expect(result).toEqual({ token: sent === 1 ? 'a.b.c' : null });
      }),
    );
  });
});
