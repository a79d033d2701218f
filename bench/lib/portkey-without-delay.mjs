import { register } from 'node:module';

/**
 * `node --import ./bench/lib/portkey-without-delay.mjs …/start-server.js`: Portkey with its fixed
 * first-event delay taken out in memory, for this process only (node_modules stays as installed).
 */
register('./portkey-without-delay-hooks.mjs', import.meta.url);
