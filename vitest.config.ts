import { defineConfig } from 'vitest/config';

// Unit tests live beside the code; integration tests in tests/ boot real servers on temp databases.
export default defineConfig({
	test: {
		projects: [
			{
				test: {
					name: 'unit',
					include: ['src/**/*.test.ts', 'server/**/*.test.ts'],
					environment: 'node',
					setupFiles: ['tests/setup/fast-check-seed.ts'],
					testTimeout: 20_000
				}
			},
			{
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					environment: 'node',
					setupFiles: ['tests/setup/fast-check-seed.ts'],
					testTimeout: 60_000,
					hookTimeout: 60_000
				}
			}
		]
	}
});
