// A service's own access token, by the OAuth 2.0 client credentials grant (RFC 6749 §4.4).
// The token endpoint comes from the issuer's discovery metadata; a token is reused until
// shortly before it expires, and concurrent callers share one request.

/** Options of {@link createServiceToken}. */
export interface ServiceTokenOptions {
  /** The issuer identifier; its `/.well-known/openid-configuration` names the token endpoint. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The API the token is for. */
  audience: string;
  /** The scopes to ask for: only what this service needs. */
  scope: string;
}

/** A service token source. */
export interface ServiceToken {
  /** A valid token, from the cache or fetched now. Rejects when the auth service cannot give one. */
  get(): Promise<string>;
  /** Drops the cached token, so the next `get()` fetches a new one. */
  forget(): void;
}

const TIMEOUT = 5_000;

async function json(response: Response): Promise<Record<string, unknown>> {
  const body: unknown = await response.json().catch(() => undefined);
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/**
 * Creates a source of service tokens.
 *
 * @example
 * ```ts
 * const inventory = createServiceToken({ issuer, clientId: 'orders-api', clientSecret, audience: 'inventory-api', scope: 'inventory:reserve' });
 * await fetch(url, { headers: { authorization: `Bearer ${await inventory.get()}` } });
 * ```
 */
export function createServiceToken(options: ServiceTokenOptions): ServiceToken {
  const { issuer, clientId, clientSecret, audience, scope } = options;
  // RFC 6749 §2.3.1: client_secret_basic, id and secret form-encoded first.
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  let endpoint: string | undefined;
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function tokenEndpoint(): Promise<string> {
    if (endpoint !== undefined) return endpoint;
    const response = await fetch(`${issuer.endsWith('/') ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(TIMEOUT) });
    const metadata = await json(response);
    // Metadata speaks for the issuer it names and no other (OIDC Discovery §4.3), and the client
    // secret goes to that issuer's own origin only.
    if (!response.ok || metadata.issuer !== issuer || typeof metadata.token_endpoint !== 'string') {
      throw new Error(`no usable discovery metadata for ${issuer} (status ${response.status})`);
    }
    if (new URL(metadata.token_endpoint).origin !== new URL(issuer).origin) throw new Error('the token endpoint is not on the issuer origin');
    endpoint = metadata.token_endpoint;
    return endpoint;
  }

  async function request(): Promise<string> {
    const response = await fetch(await tokenEndpoint(), {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', audience, scope }),
      // The client secret goes to the token endpoint and nowhere else: no redirect is followed.
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT),
    });
    const body = await json(response);
    const token = body.access_token;
    const lifetime = body.expires_in;
    if (!response.ok || typeof token !== 'string' || typeof lifetime !== 'number' || !(lifetime > 0)) {
      throw new Error(`the token endpoint gave no token (status ${response.status}${typeof body.error === 'string' ? `, ${body.error}` : ''})`);
    }
    // Renew a tenth of the lifetime (at most 30 s) early, so no call carries a token about to expire.
    cached = { token, renewAt: Date.now() + (lifetime - Math.min(30, lifetime / 10)) * 1000 };
    return token;
  }

  return {
    get() {
      if (cached !== undefined && Date.now() < cached.renewAt) return Promise.resolve(cached.token);
      pending ??= request().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    forget() {
      cached = undefined;
    },
  };
}
