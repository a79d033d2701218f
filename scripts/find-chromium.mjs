// Where Debian's (or any system) Chromium lives. Playwright's own browser download cannot work here.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export function findChromium() {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
	for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
	try {
		return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim() || null;
	} catch {
		return null;
	}
}
