import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/** The browser bundle may see the server only as a type: no code, no key, no secrets. */
const serverBoundary = {
	patterns: [
		{
			group: ['**/server/**', 'server/**'],
			message: 'src/ may import from server/ only `import type { AppRouter }` (docs/architecture.md#the-import-boundary).',
			allowTypeImports: true
		}
	]
};

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
		// The domain is shared by both sides and imports nothing but zod.
		files: ['src/lib/domain/**/*.ts'],
		ignores: ['src/lib/domain/**/*.test.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{ regex: '^(?!zod$|\\.\\.?/)', message: 'src/lib/domain imports nothing but zod and itself.' }
					]
				}
			]
		}
	},
	{
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
		}
	},
	{
		ignores: ['build/', '.svelte-kit/', 'node_modules/', 'server/db/migrations/', 'test-results/', 'playwright-report/']
	}
);
