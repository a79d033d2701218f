// `npm start`: build the client and the server if needed, then run the compiled server in this
// process (signals reach it directly).
import { ensureBuild } from './ensure-build.mjs';
import { ensureServerBuild } from './build-server.mjs';

ensureBuild();
await ensureServerBuild();
await import('../dist/server/main.js');
