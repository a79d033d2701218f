import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { defineConfig } from 'vite';

const serverPort = Number(process.env.PORT ?? 8787);
const target = `http://127.0.0.1:${serverPort}`;

/** Paths the server answers itself: the service worker never serves the app shell for them, nor caches them. */
const SERVER_PATHS = [/^\/trpc/, /^\/v1/, /^\/healthz/, /^\/readyz/, /^\/metrics/];

export default defineConfig({
	plugins: [
		sveltekit(),
		SvelteKitPWA({
			// A new version waits until the person chooses to reload (the status bar offers it).
			registerType: 'prompt',
			// Registered by the app through workbox-window (src/lib/ui/pwa.svelte.ts), not by an injected script.
			injectRegister: false,
			strategies: 'generateSW',
			// The shell (adapter-static's fallback) is precached as "/", which every navigation falls back to.
			kit: { adapterFallback: 'index.html', spa: { fallbackMapping: '/' } },
			manifest: {
				id: '/',
				name: 'Phosphor',
				short_name: 'Phosphor',
				description: 'A self-hosted, local-first LLM chat workspace: your conversations on every device, offline too.',
				start_url: '/',
				scope: '/',
				display: 'standalone',
				// The Phosphor green theme's --bg (src/lib/ui/tokens.css).
				background_color: '#050806',
				theme_color: '#050806',
				categories: ['productivity', 'utilities'],
				icons: [
					{ src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
					{ src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
					{ src: '/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
					{ src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
				]
			},
			workbox: {
				// The whole shell: every chunk (the renderer's grammars and math included, so they work
				// offline), styles, icons and the fonts (woff2 only: every browser with service workers reads it).
				globPatterns: ['client/**/*.{js,css,ico,png,svg,webmanifest,woff2}'],
				maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
				navigateFallback: '/',
				navigateFallbackDenylist: SERVER_PATHS,
				cleanupOutdatedCaches: true,
				// The first worker takes over the open page at once (offline works from the first visit);
				// later versions wait for the person's "Reload".
				clientsClaim: true,
				// No runtime caching: API traffic goes to the network, never through this cache.
				runtimeCaching: []
			},
			devOptions: { enabled: false }
		})
	],
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
