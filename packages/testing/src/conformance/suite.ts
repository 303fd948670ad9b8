import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture, type TokenName } from './fixture.js';
import { APP_ERROR_HANDLER_HEADER, type ConformanceDriver, type ConformanceRequest, type ConformanceResponse, type ConformanceTarget } from './harness.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { tokenRefreshFlows } from './token-refresh.js';

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * Registers the conformance suite for one driver: every scenario as a vitest test, against an
 * app the driver builds once for the whole run.
 *
 * @example
 * ```ts
 * conformance('Express 5', { kind: 'adapter', joinsRepeatedHeaders: false, errorBody: 'json', appErrorHandler: false, start: (setup) => listenerTarget(app(setup)) });
 * ```
 */
export function conformance(name: string, driver: ConformanceDriver): void {
  describe(`conformance: ${name}`, () => {
    let fixture: Fixture;
    let target: ConformanceTarget;

    beforeAll(async () => {
      fixture = await createFixture();
      target = await driver.start(fixture.setup);
    });
    afterAll(async () => {
      await target?.close();
      await fixture?.close();
    });

    const send = async (scenario: Scenario) => {
      const request = resolve(scenario, fixture.tokens);
      fixture.handled.length = 0;
      fixture.refused.length = 0;
      const response = await target.request(request);
      return { request, response, handled: [...fixture.handled], refused: [...fixture.refused] };
    };

    for (const scenario of SCENARIOS) {
      if (scenario.on === 'adapters' && driver.kind !== 'adapter') continue;
      const check = async () => {
        const { request, response, handled, refused } = await send(scenario);
        checkResponse(driver, scenario, request, response, fixture);
        if (driver.kind === 'adapter') {
          expect(handled).toEqual(scenario.expect.handled === null ? [] : [scenario.expect.handled]);
          // onError saw every refusal once, before the answer; a guard with no jwtAuth() in front has no hook.
          const reported = scenario.expect.status >= 400 && scenario.expect.answeredByAdapter !== true ? [scenario.expect.status] : [];
          expect(refused.map((error) => error.status), 'refusals onError saw').toEqual(reported);
        }
      };
      it(scenario.name, check);
    }

    // The example servers' token endpoint: flows of several requests, each starting from its own login.
    if (driver.kind === 'example') describe('refresh tokens', () => tokenRefreshFlows(() => target));
  });
}

function resolve(scenario: Scenario, tokens: Readonly<Record<TokenName, string>>): ConformanceRequest {
  const fill = (text: string) =>
    text.replace(PLACEHOLDER, (_, name: string) => {
      if (!Object.hasOwn(tokens, name)) throw new Error(`scenario "${scenario.name}" names an unknown token {${name}}`);
      return tokens[name as TokenName];
    });
  const { method = 'GET', path, headers = [], body } = scenario.request;
  return { method, path: fill(path), headers: headers.map(([name, value]) => [name, fill(value)] as const), ...(body === undefined ? {} : { body }) };
}

function header(response: ConformanceResponse, name: string): string | undefined {
  const value = response.headers[name];
  if (value === undefined) return undefined;
  expect(typeof value, `one ${name} header`).toBe('string');
  return value as string;
}

function checkResponse(driver: ConformanceDriver, scenario: Scenario, request: ConformanceRequest, response: ConformanceResponse, fixture: Fixture): void {
  const want = scenario.expect;
  expect(response.status).toBe(want.status);
  expect(header(response, 'www-authenticate') ?? null).toBe(want.challenge);
  const contentType = header(response, 'content-type') ?? '';

  if (want.status >= 400) {
    if (driver.errorBody === 'json' || want.answeredByAdapter === true) {
      expect(contentType).toMatch(/^application\/json/);
      const body = JSON.parse(response.text) as Record<string, unknown>;
      expect(body).toEqual({ error: want.error, error_description: expect.any(String) });
    } else {
      expect(contentType).toMatch(/^text\/plain/);
    }
    expect(header(response, APP_ERROR_HANDLER_HEADER)).toBe(driver.appErrorHandler && want.answeredByAdapter !== true ? 'app' : undefined);
    // Nothing the client sent comes back: no token, no header text.
    for (const [, value] of request.headers) {
      for (const part of value.split(/[\s.]+/).filter((piece) => piece.length >= 12)) {
        expect(response.text).not.toContain(part);
        expect(header(response, 'www-authenticate') ?? '').not.toContain(part);
      }
    }
    return;
  }

  expect(contentType).toMatch(/^application\/json/);
  const body = JSON.parse(response.text) as Record<string, unknown>;
  if (want.body !== undefined) expect(body).toEqual(want.body);
  else if (want.result !== undefined) {
    const token = fixture.tokens[want.result];
    const claims = decodeJwt(token);
    const attached = { sub: claims.sub, scope: claims['scope'], roles: claims['roles'], claims };
    expect(body).toEqual(driver.kind === 'adapter' ? { ...attached, header: decodeProtectedHeader(token), issuer: claims.iss, token } : attached);
  }
}
