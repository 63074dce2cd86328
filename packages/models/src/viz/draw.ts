import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { FileError } from '@trtkit/core';
import sharp from 'sharp';
import type { RgbImage } from '../image/load-image.js';
import type { Palette } from '../labels/index.js';
import type { Detection } from '../postprocess/detections.js';
import type { SegmentationMap } from '../postprocess/segmentation.js';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font.js';

export type Rgb = readonly [number, number, number];

/** A palette entry per class id: fixed, well-separated hues so the same class keeps its colour everywhere. */
export function classColor(id: number): Rgb {
  const hue = (id * 0.618033988749895) % 1;
  const f = (n: number) => {
    const k = (n + hue * 6) % 6;
    return Math.round(255 * (1 - 0.75 * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

function put(img: RgbImage & { data: Uint8Array }, x: number, y: number, c: Rgb): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const o = (y * img.width + x) * 3;
  img.data[o] = c[0];
  img.data[o + 1] = c[1];
  img.data[o + 2] = c[2];
}

/** Draws text at (x, y) on a filled background, `scale` pixels per font pixel. */
export function drawText(
  img: RgbImage,
  text: string,
  x: number,
  y: number,
  fg: Rgb,
  bg: Rgb,
  scale = 1,
): void {
  const w = text.length * (GLYPH_WIDTH + 1) * scale + scale;
  const h = (GLYPH_HEIGHT + 2) * scale;
  for (let yy = 0; yy < h; yy++) for (let xx = 0; xx < w; xx++) put(img, x + xx, y + yy, bg);
  [...text].forEach((ch, i) => {
    const ink = glyph(ch);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (!ink[gy * GLYPH_WIDTH + gx]) continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) {
            put(img, x + scale + (i * (GLYPH_WIDTH + 1) + gx) * scale + sx, y + scale + gy * scale + sy, fg);
          }
        }
      }
    }
  });
}

/** Returns a copy of the image with each detection's box and "label score" drawn on it. */
export function drawDetections(image: RgbImage, detections: readonly Detection[]): RgbImage {
  const out = { width: image.width, height: image.height, data: new Uint8Array(image.data) };
  const thick = Math.max(1, Math.round(Math.min(image.width, image.height) / 200));
  const scale = Math.max(1, Math.round(Math.min(image.width, image.height) / 300));
  for (const d of detections) {
    const c = classColor(d.label);
    const [x0, y0, x1, y1] = d.box.map(Math.round) as [number, number, number, number];
    for (let t = 0; t < thick; t++) {
      for (let x = x0; x <= x1; x++) {
        put(out, x, y0 + t, c);
        put(out, x, y1 - t, c);
      }
      for (let y = y0; y <= y1; y++) {
        put(out, x0 + t, y, c);
        put(out, x1 - t, y, c);
      }
    }
    const label = `${d.labelName} ${Math.round(d.score * 100)}%`;
    const ty = y0 - (GLYPH_HEIGHT + 2) * scale >= 0 ? y0 - (GLYPH_HEIGHT + 2) * scale : y0;
    drawText(out, label, x0, ty, [255, 255, 255], c, scale);
  }
  return out;
}

/** Blends each pixel's class colour over the image (class 0 left clear when `skipBackground`). */
export function overlayMask(
  image: RgbImage,
  map: SegmentationMap,
  alpha = 0.5,
  skipBackground = true,
  /** The dataset's own colours (ADE20K, Cityscapes); classes beyond it, or no palette, get generated colours. */
  palette?: Palette,
): RgbImage {
  if (map.width !== image.width || map.height !== image.height) {
    throw new FileError(
      '<mask>',
      `mask ${map.width}x${map.height} does not match image ${image.width}x${image.height}`,
    );
  }
  const out = new Uint8Array(image.data);
  for (let i = 0; i < map.classes.length; i++) {
    const k = map.classes[i]!;
    if (skipBackground && k === 0) continue;
    const c = palette?.[k] ?? classColor(k);
    for (let j = 0; j < 3; j++) out[i * 3 + j] = Math.round((1 - alpha) * out[i * 3 + j]! + alpha * c[j]!);
  }
  return { width: image.width, height: image.height, data: out };
}

/** Encodes to PNG and writes atomically; an existing file is replaced only with `overwrite`. */
export async function writePng(path: string, image: RgbImage, overwrite = false): Promise<void> {
  if (!overwrite && existsSync(path)) {
    throw new FileError(path, 'exists', { hint: 'pass overwrite (CLI: --force) to replace it' });
  }
  const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toBuffer();
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, png);
  renameSync(tmp, path);
}
