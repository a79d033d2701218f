import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/**
 * The browser bundle may see the server only as one type: no code, no key, no secrets, and no
 * other server type either (a type import is one edit away from a value import).
 */
const BOUNDARY_MESSAGE = 'src/ may import from server/ only `import type { AppRouter }` from server/routers/_app (docs/architecture.md#the-import-boundary).';
const serverBoundary = {
	patterns: [
		{ regex: '^(\\.{1,2}/)+(.*/)?server/(?!routers/_app$)', message: BOUNDARY_MESSAGE },
		{ regex: '^(\\.{1,2}/)+(.*/)?server/routers/_app$', message: BOUNDARY_MESSAGE, allowTypeImports: true, allowImportNames: ['AppRouter'] },
		{ regex: '^(\\.{1,2}/)+(.*/)?server/routers/_app$', message: BOUNDARY_MESSAGE, importNamePattern: '^(?!AppRouter$)' }
	]
};

const ORCHESTRATOR_MESSAGE =
	'server/orchestrator imports nothing from server/ledger or server/generations: metering wraps the orchestrator from outside (docs/architecture.md#the-hot-path).';

export default ts.config(
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } }
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: {
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		}
	},
	{
		files: ['src/**/*.ts', 'src/**/*.svelte', 'src/**/*.js'],
		rules: { 'no-restricted-imports': ['error', serverBoundary] }
	},
	{
		// The domain is shared by both sides and imports nothing but zod and itself.
		files: ['src/lib/domain/**/*.ts'],
		ignores: ['src/lib/domain/**/*.test.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{ patterns: [{ regex: '^(?!zod$|\\./|\\.\\./[\\w-]+$)', message: 'src/lib/domain imports nothing but zod and itself.' }] }
			]
		}
	},
	{
		files: ['src/lib/domain/*.ts'],
		ignores: ['src/lib/domain/*.test.ts'],
		rules: {
			'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!zod$|\\./)', message: 'src/lib/domain imports nothing but zod and itself.' }] }]
		}
	},
	{
		// The orchestrator knows nothing of the ledger or the reply jobs: metering wraps it from outside.
		files: ['server/orchestrator/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{ patterns: [{ regex: '^(\\.{1,2}/)+(.*/)?(ledger|generations)(/|$)', message: ORCHESTRATOR_MESSAGE }] }
			]
		}
	},
	{
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
		}
	},
	{
		ignores: ['build/', 'dist/', '.svelte-kit/', 'node_modules/', 'server/db/migrations/', 'test-results/', 'playwright-report/', '.tmp/']
	}
);
