import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// docs/architecture.md#the-import-boundary: the browser may import from server/ only the AppRouter type.
describe('import boundary (eslint)', () => {
	const eslint = new ESLint();
	const lint = async (code: string, filePath: string) => {
		const [result] = await eslint.lintText(code, { filePath });
		return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports');
	};

	it('fails the lint when src/ imports server code', async () => {
		const messages = await lint(
			"import { openDatabase } from '../../../server/db/client';\nexport const x = openDatabase;\n",
			'src/lib/client/leak.ts'
		);
		expect(messages).toHaveLength(1);
		expect(messages[0]?.message).toMatch(/only `import type \{ AppRouter \}`/);
	});

	it('allows the AppRouter type', async () => {
		const messages = await lint(
			"import type { AppRouter } from '../../../server/routers/_app';\nexport type R = AppRouter;\n",
			'src/lib/client/ok.ts'
		);
		expect(messages).toEqual([]);
	});

	it('fails the lint for any other server type, even imported as a type', async () => {
		const messages = await lint("import type { Env } from '../../../server/env';\nexport type E = Env;\n", 'src/lib/client/types.ts');
		expect(messages).toHaveLength(1);
		const other = await lint("import type { appRouter } from '../../../server/routers/_app';\nexport type A = typeof appRouter;\n", 'src/lib/client/types.ts');
		expect(other).toHaveLength(1);
		const value = await lint("import { appRouter } from '../../../server/routers/_app';\nexport const a = appRouter;\n", 'src/lib/client/value.ts');
		expect(value.length).toBeGreaterThan(0);
	});

	it('keeps the domain free of anything but zod', async () => {
		const messages = await lint("import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", 'src/lib/domain/leak.ts');
		expect(messages).toHaveLength(1);
		const escape = await lint("import { trpc } from '../client/trpc';\nexport const t = trpc;\n", 'src/lib/domain/sync/leak.ts');
		expect(escape).toHaveLength(1);
		const sibling = await lint("import { EpochMs } from '../epoch-ms';\nexport const e = EpochMs;\n", 'src/lib/domain/sync/ok.ts');
		expect(sibling).toEqual([]);
	});

	it('keeps the orchestrator free of the ledger and the reply jobs', async () => {
		const ledger = await lint("import type { Ledger } from '../ledger/ledger';\nexport type L = Ledger;\n", 'server/orchestrator/leak.ts');
		expect(ledger).toHaveLength(1);
		expect(ledger[0]?.message).toMatch(/metering wraps the orchestrator/);
		const jobs = await lint("import { admit } from '../generations/admission';\nexport const a = admit;\n", 'server/orchestrator/leak.ts');
		expect(jobs).toHaveLength(1);
		const own = await lint("import { EventStream } from './event-stream';\nexport const q = EventStream;\n", 'server/orchestrator/ok.ts');
		expect(own).toEqual([]);
	});
});
