import { fetchTarget, resourceMetadataSuite, urlTarget, type MetadataSuiteSetup } from '@jwt-gate/testing';
import { jwtAuth, protectedResourceMetadata, requireScopes, withAuth } from '../src/index.js';
import { currentRuntime, serveOnNodeHttp } from './runtime.js';

function createApp({ rootMetadata, pathMetadata, auth }: MetadataSuiteSetup): (request: Request) => Response | Promise<Response> {
  const serveRoot = protectedResourceMetadata(rootMetadata);
  const servePath = protectedResourceMetadata(pathMetadata);
  const authenticate = jwtAuth(auth);
  const me = withAuth((_request, result) => Response.json({ sub: result.claims.sub }), authenticate);
  const admin = withAuth(requireScopes('admin')(() => Response.json({ admin: true })), authenticate);
  return (request) => {
    const metadata = serveRoot(request) ?? servePath(request);
    if (metadata !== undefined) return metadata;
    const { pathname } = new URL(request.url);
    if (pathname === '/open') return Response.json({ open: true });
    if (pathname === '/me') return me(request);
    if (pathname === '/admin') return admin(request);
    return new Response('not found', { status: 404 });
  };
}

const runtime = currentRuntime();
resourceMetadataSuite(`Fetch handler called with a Request (${runtime})`, async (setup) => fetchTarget(createApp(setup)));
resourceMetadataSuite(`Fetch handler on node:http (${runtime})`, async (setup) => {
  const served = await serveOnNodeHttp(createApp(setup));
  return urlTarget(served.origin, () => served.close());
});
