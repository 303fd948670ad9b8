// One command for the whole example: the auth service, then the orders API (Express) and the
// inventory API (Hono), each its own process on loopback. Prints what to try; Ctrl-C (or
// SIGTERM) stops all three.
// Start: pnpm --filter ./examples/microservices start

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { authIssuer, authPort, host, inventoryPort, ORDERS_CLIENT_ID, ordersPort, ordersReplicaPort, redisUrl } from './config.js';

interface Service {
  readonly name: string;
  readonly file: string;
  readonly port: number;
  /** What this process's environment changes (the replica's port). */
  readonly env?: Record<string, string>;
  child?: ChildProcess;
}

const services: Service[] = [
  { name: 'auth', file: 'auth-service.ts', port: authPort },
  { name: 'orders', file: 'orders-api.ts', port: ordersPort },
  { name: 'inventory', file: 'inventory-api.ts', port: inventoryPort },
  // With REDIS_URL, a second orders API: the two share logouts and sessions through Redis, as
  // instances behind a load balancer would.
  ...(redisUrl === undefined ? [] : [{ name: 'orders-2', file: 'orders-api.ts', port: ordersReplicaPort, env: { ORDERS_PORT: String(ordersReplicaPort) } }]),
];

const generated = (name: string) => (process.env[name] ? undefined : randomBytes(32).toString('base64url'));
const clientSecret = generated('ORDERS_CLIENT_SECRET');
const adminSecret = generated('ADMIN_SECRET');
// The secrets the services share: given, or made for this run.
const env = {
  ...process.env,
  ...(clientSecret === undefined ? {} : { ORDERS_CLIENT_SECRET: clientSecret }),
  ...(adminSecret === undefined ? {} : { ADMIN_SECRET: adminSecret }),
};
const root = fileURLToPath(new URL('..', import.meta.url));
let stopping = false;
let up = false;

function launch(service: Service): void {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(service.file, import.meta.url))], {
    cwd: root,
    env: { ...env, ...service.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service.child = child;
  const prefix = `[${service.name}]`.padEnd(12);
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) console.log(`${prefix}${line}`);
    });
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    const status = signal ?? `code ${code}`;
    // While starting, one failure stops everything. Later the others keep running, so you can
    // stop the auth service alone and watch the APIs carry on with the keys they know.
    if (!up) {
      console.error(`${prefix}exited (${status}); stopping the others`);
      void stop(1);
    } else if (services.every(({ child: c }) => c !== undefined && (c.exitCode !== null || c.signalCode !== null))) {
      void stop(1);
    } else {
      console.error(`${prefix}exited (${status}); the others keep running, Ctrl-C stops them`);
    }
  });
}

async function answers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}:${port}/health`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function ready(service: Service): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await answers(service.port))) {
    if (stopping) return;
    if (Date.now() > deadline) throw new Error(`${service.name} did not answer on port ${service.port} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(code: number): Promise<never> {
  stopping = true;
  await Promise.all(
    services.map(({ child }) => {
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return undefined;
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }),
  );
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const [auth, ...apis] = services as [Service, ...Service[]];
try {
  // The auth service first: the APIs find their keys through it.
  launch(auth);
  await ready(auth);
  apis.forEach(launch);
  await Promise.all(apis.map(ready));
  up = true;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stop(1);
}

const authAt = `http://${host}:${authPort}`;
const ordersAt = `http://${host}:${ordersPort}`;
const inventoryAt = `http://${host}:${inventoryPort}`;
const json = `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token'`;
console.log(`
jwt-gate microservices example
  auth service   ${authAt}  pid ${auth.child?.pid}  (issuer ${authIssuer}: login, token endpoint, JWKS, discovery)
  orders API     ${ordersAt}  pid ${apis[0]?.child?.pid}  (Express, audience orders-api)
  inventory API  ${inventoryAt}  pid ${apis[1]?.child?.pid}  (Hono, audience inventory-api)
${redisUrl === undefined ? '' : `  orders API     http://${host}:${ordersReplicaPort}  pid ${apis[2]?.child?.pid}  (a second instance; sessions and logouts shared through ${redisUrl})\n`}
Try it (README.md walks through every step):
  TOKEN=$(curl -s -X POST ${authAt}/login -H 'content-type: application/json' -d '{"username":"alice","password":"alice-password"}' | ${json})
  curl -s -X POST ${ordersAt}/orders -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"item":"widget","quantity":2}'
  curl -s ${ordersAt}/orders -H "authorization: Bearer $TOKEN"
  curl -si ${inventoryAt}/items -H "authorization: Bearer $TOKEN"    # 401: that token is for the orders API
  SERVICE=$(curl -s -X POST ${authAt}/oauth/token -u "${ORDERS_CLIENT_ID}:${clientSecret ?? '$ORDERS_CLIENT_SECRET'}" -d grant_type=client_credentials | ${json})
  curl -si -X PUT ${inventoryAt}/items/widget/stock -H "authorization: Bearer $SERVICE" -H 'content-type: application/json' -d '{"stock":50}'    # 403
  curl -s -X POST ${authAt}/admin/rotate-key -H "x-admin-secret: ${adminSecret ?? '$ADMIN_SECRET'}"
${clientSecret === undefined && adminSecret === undefined ? '' : '(secrets generated for this run; set ORDERS_CLIENT_SECRET and ADMIN_SECRET to choose your own)\n'}
Ctrl-C stops ${services.length === 3 ? 'all three' : 'them all'}.`);
