import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const serverPort = Number(process.env.PORT ?? 8787);
const target = `http://127.0.0.1:${serverPort}`;

export default defineConfig({
	plugins: [sveltekit()],
	server: {
		// In development vite serves the app on 5173 and hands the API to the Node server.
		proxy: {
			'/trpc': { target, changeOrigin: false },
			'/v1': { target, changeOrigin: false },
			'/healthz': target,
			'/readyz': target
		}
	}
});
