import { attacks, faults, fetchTarget, fuzz, urlTarget, type AttackSetup, type ConformanceTarget } from '@jwt-gate/testing';
import { isAuthError, requireRoles, withAuth } from '../src/index.js';
import { currentRuntime, serveNatively, serveOnNodeHttp, type Served } from './runtime.js';

/** The attack app: `/me` and `/hello` behind withAuth, `/admin` behind a route guard too, answering `{ sub }`; other paths 404. */
function createApp(setup: AttackSetup, ownErrorHandler: boolean): (request: Request) => Promise<Response> {
  const errors = ownErrorHandler ? 'next' : 'respond';
  const me = withAuth((_request, auth) => {
    setup.handled('me');
    return Response.json({ sub: auth.claims.sub });
  }, { ...setup.auth, errors });
  const hello = withAuth((_request, auth) => {
    setup.handled('hello');
    return Response.json({ sub: auth?.claims.sub });
  }, { ...setup.optionalAuth, errors });
  const admin = withAuth(
    requireRoles('admin')((_request, auth) => {
      setup.handled('admin');
      return Response.json({ sub: auth.claims.sub });
    }),
    { ...setup.auth, errors },
  );
  const router = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname === '/me') return me(request);
    if (pathname === '/hello' && request.method === 'GET') return hello(request);
    if (pathname === '/admin' && request.method === 'GET') return admin(request);
    return new Response(null, { status: 404 });
  };
  if (!ownErrorHandler) return router;
  return async (request) => {
    try {
      return await router(request);
    } catch (error) {
      if (!isAuthError(error)) return new Response('Internal Server Error', { status: 500 });
      return Response.json(error.body, { status: error.status, headers: error.headers });
    }
  };
}

const runtime = currentRuntime();
const inProcess = (ownErrorHandler: boolean) => async (setup: AttackSetup) => fetchTarget(createApp(setup, ownErrorHandler));
const overHttp = (serve: (handler: (request: Request) => Promise<Response>) => Promise<Served | undefined>, ownErrorHandler: boolean) => async (setup: AttackSetup): Promise<ConformanceTarget> => {
  const served = (await serve(createApp(setup, ownErrorHandler))) as Served;
  return urlTarget(served.origin, () => served.close());
};
const native = runtime === 'deno' ? 'Deno.serve' : runtime === 'bun' ? 'Bun.serve' : undefined;

for (const ownErrorHandler of [false, true]) {
  const suffix = ownErrorHandler ? " with the app's own error handler" : '';
  attacks(`Fetch handler called with a Request (${runtime})${suffix}`, { errorBody: 'json', start: inProcess(ownErrorHandler) });
  attacks(`Fetch handler on node:http through @hono/node-server (${runtime})${suffix}`, { errorBody: 'json', start: overHttp(serveOnNodeHttp, ownErrorHandler) });
  if (native !== undefined) attacks(`Fetch handler on ${native}${suffix}`, { errorBody: 'json', start: overHttp(serveNatively, ownErrorHandler) });
}

fuzz(`Fetch handler called with a Request (${runtime})`, { errorBody: 'json', start: inProcess(false) });
faults(`Fetch handler on node:http through @hono/node-server (${runtime})`, { errorBody: 'json', start: overHttp(serveOnNodeHttp, false) });
faults(`Fetch handler called with a Request (${runtime}) with the app's own error handler`, { errorBody: 'json', start: inProcess(true) });
if (native !== undefined) faults(`Fetch handler on ${native}`, { errorBody: 'json', start: overHttp(serveNatively, false) });
