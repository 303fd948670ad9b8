import { fileURLToPath } from 'node:url';
import { exampleContract } from '@jwt-gate/testing';

// On Node the server runs through @hono/node-server, which hands it a fetch Request where
// repeated headers arrive comma-joined.
exampleContract({ name: 'Fetch', cwd: fileURLToPath(new URL('..', import.meta.url)), joinsRepeatedHeaders: true });
