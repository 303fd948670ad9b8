import { fileURLToPath } from 'node:url';
import { exampleContract } from '@jwt-gate/testing';

exampleContract({ name: 'Fastify', cwd: fileURLToPath(new URL('..', import.meta.url)) });
