/** Reads back a PNG as scripts/lib/png.mjs writes it: 8-bit RGBA, filter type 0 on every row. */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

export interface Png {
  width: number;
  height: number;
  colourType: number;
  rgba: Buffer;
}

export function readPng(file: string): Png {
  const png = readFileSync(file);
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error(`${file} is not a PNG`);
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') [width, height, colourType] = [data.readUInt32BE(0), data.readUInt32BE(4), data[9]];
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = raw.subarray(y * (width * 4 + 1), (y + 1) * (width * 4 + 1));
    if (row[0] !== 0) throw new Error(`${file}: row ${y} uses filter ${row[0]}; regenerate with npm run icons`);
    rows.push(row.subarray(1));
  }
  return { width, height, colourType, rgba: Buffer.concat(rows) };
}
