// The extension's mark: two registries (boxes holding image layers) and an arrow from the
// source to the target. Drawn on a 128-unit grid and rasterised at any size with 8×8
// supersampling, so the 128 px marketplace icon and the 32 px task icon come from one drawing.
// Edges sit on multiples of 4 units where possible: whole pixels at 32 px, so the small icon
// stays crisp.

const SOURCE = [0x00, 0x78, 0xd4]; // Azure blue
const TARGET = [0x00, 0x99, 0xa8]; // teal: a different registry, same family
const ARROW = [0x50, 0x5a, 0x66]; // slate: reads on light and dark backgrounds
const LAYER = [0xff, 0xff, 0xff];

function roundedRect(x0, y0, x1, y1, r) {
  return (x, y) => {
    const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
    const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
    return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r;
  };
}

function triangle([ax, ay], [bx, by], [cx, cy]) {
  const side = (px, py, qx, qy, x, y) => (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const s1 = side(ax, ay, bx, by, x, y);
    const s2 = side(bx, by, cx, cy, x, y);
    const s3 = side(cx, cy, ax, ay, x, y);
    return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
  };
}

/** A registry: a rounded box with `layers` white bars (fewer at small sizes, where they would blur). */
function registry(x0, colour, layers) {
  const shapes = [{ colour, inside: roundedRect(x0, 28, x0 + 44, 100, 8) }];
  const barHeight = layers === 3 ? 10 : 12;
  const gap = layers === 3 ? 7 : 8;
  const top = 64 - (layers * barHeight + (layers - 1) * gap) / 2;
  for (let i = 0; i < layers; i++) {
    const y = top + i * (barHeight + gap);
    shapes.push({ colour: LAYER, inside: roundedRect(x0 + 8, y, x0 + 36, y + barHeight, barHeight / 2) });
  }
  return shapes;
}

export function iconShapes(size) {
  const layers = size >= 64 ? 3 : 2;
  return [
    ...registry(4, SOURCE, layers),
    ...registry(80, TARGET, layers),
    { colour: ARROW, inside: roundedRect(52, 59, 66, 69, 1) },
    { colour: ARROW, inside: triangle([64, 44], [76, 64], [64, 84]) },
  ];
}

/** RGBA pixels, later shapes painted over earlier ones, edges anti-aliased by coverage. */
export function rasterise(size) {
  const shapes = iconShapes(size);
  const samples = 8;
  const scale = 128 / size;
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const shape of shapes) {
        let hits = 0;
        for (let sy = 0; sy < samples; sy++) {
          for (let sx = 0; sx < samples; sx++) {
            if (shape.inside((px + (sx + 0.5) / samples) * scale, (py + (sy + 0.5) / samples) * scale)) hits++;
          }
        }
        const cover = hits / (samples * samples);
        if (cover === 0) continue;
        // Porter-Duff "over" with premultiplied accumulation.
        r = shape.colour[0] * cover + r * (1 - cover);
        g = shape.colour[1] * cover + g * (1 - cover);
        b = shape.colour[2] * cover + b * (1 - cover);
        a = cover + a * (1 - cover);
      }
      const i = (py * size + px) * 4;
      // Un-premultiply for PNG's straight alpha.
      rgba[i] = a ? Math.round(r / a) : 0;
      rgba[i + 1] = a ? Math.round(g / a) : 0;
      rgba[i + 2] = a ? Math.round(b / a) : 0;
      rgba[i + 3] = Math.round(a * 255);
    }
  }
  return rgba;
}
