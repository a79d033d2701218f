import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// Tests build a second version elsewhere to check updates: PHOSPHOR_BUILD_DIR and PHOSPHOR_BUILD_VERSION.
const out = process.env.PHOSPHOR_BUILD_DIR ?? 'build';
const version = process.env.PHOSPHOR_BUILD_VERSION;

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A static single-page app: the server serves build/ and falls back to index.html,
		// so the whole shell can be precached and opened offline.
		adapter: adapter({ pages: out, assets: out, fallback: 'index.html', strict: true }),
		...(version ? { version: { name: version } } : {})
	}
};

export default config;
