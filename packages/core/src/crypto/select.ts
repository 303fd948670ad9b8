import type { SignatureBackend } from './backend.js';
import { createNodeBackend } from './node.js';
import { createWebBackend } from './web.js';

let chosen: SignatureBackend | undefined;

/** node:crypto on Node, WebCrypto everywhere else; chosen once per process. */
export function defaultBackend(): SignatureBackend {
  chosen ??= createNodeBackend() ?? createWebBackend();
  return chosen;
}
