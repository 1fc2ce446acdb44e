// Writes the marketplace icon (images/icon.png, 128×128) and the task icon (icon.png beside
// task.json, 32×32) from one drawing. Run: node scripts/icons.mjs  (or npm run icons)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { rasterise } from './lib/iconArt.mjs';
import { repoRoot, taskDir } from './lib/paths.mjs';
import { encodePng } from './lib/png.mjs';

const icons = [
  { size: 128, file: join(repoRoot, 'images', 'icon.png') },
  { size: 32, file: join(taskDir, 'icon.png') },
];

for (const { size, file } of icons) {
  writeFileSync(file, encodePng(size, size, rasterise(size)));
  process.stdout.write(`wrote ${file} (${size}×${size})\n`);
}
