#!/usr/bin/env node
// Serves dist/ on http://127.0.0.1:PORT (default 8080; 0 picks a free port) for a browser.
import { startStaticServer } from './static-server.mjs';

const port = Number(process.env.PORT ?? 8080);
const server = await startStaticServer(new URL('../dist/', import.meta.url), port);
console.log(`dlp web demo on ${server.url}  (Ctrl-C to stop)`);
