import { fileURLToPath } from 'node:url';
import { exampleContract } from '@jwt-gate/testing';

// @hono/node-server hands the app a fetch Request, where repeated headers arrive comma-joined.
exampleContract({ name: 'Hono', cwd: fileURLToPath(new URL('..', import.meta.url)), joinsRepeatedHeaders: true });
