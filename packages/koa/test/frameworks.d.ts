// Koa 2 is installed under an alias so both majors run in one test run; it shares Koa 3's types.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}

// koa-unless ships no types: called with the middleware as `this`, it returns the wrapped one.
declare module 'koa-unless' {
  import type { Context, Middleware } from 'koa';
  interface UnlessOptions {
    path?: string | RegExp | (string | RegExp)[];
    ext?: string | string[];
    method?: string | string[];
    custom?: (ctx: Context) => boolean;
    useOriginalUrl?: boolean;
  }
  export default function unless(this: Middleware, options: UnlessOptions | ((ctx: Context) => boolean)): Middleware;
}
