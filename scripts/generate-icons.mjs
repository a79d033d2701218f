// Renders every app icon from the one source, assets/icon.svg, with the system's Chromium:
// `node scripts/generate-icons.mjs`. The PNGs are committed (static/icons); run this again after
// changing the SVG. "any" icons get rounded corners; "maskable" ones fill the square and keep the
// glyph inside the central safe zone (80 %), as Android masks crop it to a circle or squircle.
import { chromium } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findChromium } from './find-chromium.mjs';

const root = resolve(import.meta.dirname, '..');
const svg = readFileSync(join(root, 'assets', 'icon.svg'), 'utf8');
const out = join(root, 'static', 'icons');

/** name, size, shape: `any` = rounded square with the glyph full size; `maskable` = full bleed, glyph scaled into the safe zone. */
const ICONS = [
	['icon-192.png', 192, 'any'],
	['icon-512.png', 512, 'any'],
	['maskable-192.png', 192, 'maskable'],
	['maskable-512.png', 512, 'maskable'],
	['apple-touch-icon.png', 180, 'apple']
];

const page = (size, shape) => {
	const radius = shape === 'any' ? Math.round(size * 0.2) : 0;
	const scale = shape === 'maskable' ? 0.8 : 1;
	return `<!doctype html><html><body style="margin:0;background:transparent">
<div style="width:${size}px;height:${size}px;border-radius:${radius}px;overflow:hidden;background:#050806;display:grid;place-items:center">
<div style="width:${size * scale}px;height:${size * scale}px">${svg.replace('<svg ', `<svg width="${size * scale}" height="${size * scale}" `)}</div>
</div></body></html>`;
};

const browser = await chromium.launch({ executablePath: findChromium() ?? undefined, args: ['--no-sandbox', '--disable-gpu'] });
try {
	for (const [name, size, shape] of ICONS) {
		const tab = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
		await tab.setContent(page(size, shape));
		writeFileSync(join(out, name), await tab.screenshot({ omitBackground: shape === 'any', clip: { x: 0, y: 0, width: size, height: size } }));
		await tab.close();
		console.log(`static/icons/${name}  ${size}×${size} ${shape}`);
	}
	writeFileSync(join(root, 'static', 'favicon.svg'), svg);
	console.log('static/favicon.svg');
} finally {
	await browser.close();
}
