// `npm start`: build the client if needed, then run the server in this process (signals reach it directly).
import { register } from 'tsx/esm/api';
import { ensureBuild } from './ensure-build.mjs';

ensureBuild();
register();
await import('../server/main.ts');
