/** Polls until `check` is true; for state that settles asynchronously (socket closes, counters). */
export async function waitFor(check: () => boolean, timeoutMs = 2_000, what = 'condition'): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}
