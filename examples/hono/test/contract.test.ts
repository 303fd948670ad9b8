import { fileURLToPath } from 'node:url';
import { exampleContract } from '@jwt-gate/testing';

exampleContract({ name: 'Hono', cwd: fileURLToPath(new URL('..', import.meta.url)) });
