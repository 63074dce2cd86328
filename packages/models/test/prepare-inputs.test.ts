import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  getRecipe,
  ImageDecodeError,
  type ImageInput,
  loadImage,
  prepareBatch,
  prepareInputs,
} from '../src/index.js';

const dir = join(__dirname, '..', '..', '..', 'fixtures', 'processors');
const jpeg1080 = join(dir, 'photo_1920x1080_exif6.jpg');
const jpeg640 = join(dir, 'photo_640x480.jpg');

describe('prepareInputs: headers first, then decode and resize per image', () => {
  const raw = { data: Uint8Array.from({ length: 50 * 30 * 3 }, (_, i) => i % 256), width: 50, height: 30 };
  const inputs: ImageInput[] = [
    jpeg1080,
    readFileSync(jpeg640),
    { ...raw, layout: 'HWC', dtype: 'uint8' },
    jpeg640,
  ];

  it.each(['detr', 'segformer'])(
    'gives the batch prepareBatch gives from decoded images (%s)',
    async (name) => {
      const recipe = getRecipe(name);
      const ours = await prepareInputs(inputs, recipe.resize, recipe.normalize, undefined, {
        resample: recipe.resample,
      });
      const decoded = await Promise.all(inputs.map(loadImage));
      const reference = await prepareBatch(decoded, recipe.resize, recipe.normalize, undefined, {
        resample: recipe.resample,
      });
      expect(ours.pixelValues.dims).toEqual(reference.pixelValues.dims);
      expect(
        Buffer.compare(
          Buffer.from(ours.pixelValues.data.buffer),
          Buffer.from(reference.pixelValues.data.buffer),
        ),
      ).toBe(0);
      expect(ours.pixelMask.data).toEqual(reference.pixelMask.data);
      expect(ours.originalSizes).toEqual([
        [1920, 1080],
        [480, 640],
        [30, 50],
        [480, 640],
      ]);
      expect(ours.resizedSizes).toEqual(reference.resizedSizes);
      expect(ours.images.map((im) => [im.width, im.height])).toEqual(
        decoded.map((im) => [im.width, im.height]),
      );
    },
  );

  it('refuses broken inputs with typed errors: bad bytes at the header, a truncated file at decode', async () => {
    const recipe = getRecipe('detr');
    const bytes = readFileSync(jpeg640);
    await expect(
      prepareInputs([jpeg640, Buffer.from('not an image')], recipe.resize, recipe.normalize),
    ).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(
      prepareInputs([bytes.subarray(0, bytes.length / 3)], recipe.resize, recipe.normalize),
    ).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(prepareInputs(['/nonexistent.jpg'], recipe.resize, recipe.normalize)).rejects.toThrow(
      /no such file/,
    );
  });
});
