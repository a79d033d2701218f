// `npm run dev`: the server (restarted on change by tsx watch) and vite's dev server with hot reload.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = (name) => resolve(root, 'node_modules', '.bin', name);
const children = [
	spawn(bin('tsx'), ['watch', '--clear-screen=false', 'server/main.ts'], { cwd: root, stdio: 'inherit' }),
	spawn(bin('vite'), ['dev'], { cwd: root, stdio: 'inherit' })
];
const stop = () => {
	for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) {
	child.on('exit', (code) => {
		stop();
		process.exitCode = code ?? 0;
	});
}
