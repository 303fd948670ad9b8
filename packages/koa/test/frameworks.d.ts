// Koa 2 is installed under an alias so both majors run in one test run; it shares Koa 3's types.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
