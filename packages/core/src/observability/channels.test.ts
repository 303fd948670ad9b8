import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { createTestKey, signToken, startJwksServer } from '@jwt-gate/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createMiddleware } from '../adapter/middleware.js';
import { createRemoteJwks, createVerifier, CHANNELS, type AuthError, type KeysEvent, type RefusedEvent } from '../index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const view = (authorization?: string) => ({ header: (name: string) => (name === 'authorization' ? authorization : undefined) });

describe('diagnostics channels', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  function listen<T>(name: string): T[] {
    const seen: T[] = [];
    const listener = (message: unknown) => void seen.push(message as T);
    subscribe(name, listener);
    cleanups.push(() => unsubscribe(name, listener));
    return seen;
  }

  it('publishes every refusal of a middleware on jwt-gate:refused, with the code, reason and issuer, never the token', async () => {
    const key = await createTestKey('HS256');
    const refused = listen<RefusedEvent>(CHANNELS.refused);
    const hooked: [string, unknown][] = [];
    const middleware = createMiddleware({ issuer, audience, secret: key.secret as string, onError: (error, request) => hooked.push([error.code, request]) });
    const expired = await signToken(key, { iss: issuer, aud: audience }, { expiresIn: -60 });
    const request = { id: 'req-1' };
    for (const authorization of [`Bearer ${expired}`, undefined]) {
      const error = await middleware.authenticate(view(authorization), request).catch((e: unknown) => e);
      middleware.report(error, request);
    }
    expect(refused.map(({ code, reason, issuer: name }) => ({ code, reason, issuer: name }))).toEqual([
      { code: 'ERR_TOKEN_EXPIRED', reason: 'expired', issuer },
      { code: 'ERR_TOKEN_MISSING', reason: undefined, issuer: undefined },
    ]);
    expect(JSON.stringify(refused.map((event) => ({ ...event, error: { message: event.error.message, details: event.error.details } })))).not.toContain(expired.split('.')[2]);
    expect(hooked).toEqual([['ERR_TOKEN_EXPIRED', request], ['ERR_TOKEN_MISSING', request]]);
  });

  it('never lets onError change the answer', async () => {
    const middleware = createMiddleware({ issuer, audience, secret: 's'.repeat(32), onError: () => { throw new Error('logger down'); } });
    const error = await middleware.authenticate(view(), {}).catch((e: unknown) => e);
    expect(() => middleware.report(error, {})).not.toThrow();
  });

  it('traces each verification on jwt-gate:verify, the AuthError on its error event', async () => {
    const key = await createTestKey('HS256');
    const events: string[] = [];
    const errors: AuthError[] = [];
    const handlers = {
      start: () => void events.push('start'),
      end: () => undefined,
      asyncStart: () => undefined,
      asyncEnd: () => void events.push('asyncEnd'),
      error: (context: unknown) => void errors.push((context as { error: AuthError }).error),
    };
    const channel = tracingChannel(CHANNELS.verify);
    channel.subscribe(handlers);
    cleanups.push(() => channel.unsubscribe(handlers));
    const verifier = createVerifier({ issuer, audience, secret: key.secret as string });
    await verifier.verify(await signToken(key, { iss: issuer, aud: audience }));
    await verifier.verify('not-a-token').catch(() => undefined);
    expect(events).toEqual(['start', 'asyncEnd', 'start', 'asyncEnd']);
    expect(errors.map((error) => error.code)).toEqual(['ERR_TOKEN_MALFORMED']);
  });

  it('publishes a key source failing, once per fetch, and recovering, on jwt-gate:keys', async () => {
    const server = await startJwksServer({ keys: [] });
    try {
      const seen = listen<KeysEvent>(CHANNELS.keys);
      let now = Date.now();
      const remote = createRemoteJwks(server.jwksUri, { cooldown: 1000, clock: () => now });
      server.behaviour = { kind: 'status', status: 404 };
      await remote.keys().catch(() => undefined);
      server.behaviour = { kind: 'ok' };
      now += 2000;
      await remote.refresh();
      expect(seen.map(({ kind, source, url }) => ({ kind, source, url }))).toEqual([
        { kind: 'failure', source: 'jwks', url: server.jwksUri },
        { kind: 'recovery', source: 'jwks', url: server.jwksUri },
      ]);
      expect(String((seen[0]?.error as Error).message)).toMatch(/404/);
    } finally {
      await server.close();
    }
  });
});
