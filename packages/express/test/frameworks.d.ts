// Express 4 is installed under an alias so both majors run in one test run; it shares Express 5's types.
declare module 'express4' {
  import express from 'express';
  export default express;
}
