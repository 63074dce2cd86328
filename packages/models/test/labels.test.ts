import { describe, expect, it } from 'vitest';
import {
  ADE20K_150,
  ADE20K_PALETTE,
  CITYSCAPES_19,
  CITYSCAPES_PALETTE,
  classColor,
  getRecipe,
  LABEL_SETS,
  labelSet,
  overlayMask,
  segformerRecipe,
} from '../src/index.js';

describe('ADE20K-150 labels', () => {
  it("has SegFormer's ADE20K id2label order", () => {
    expect(ADE20K_150).toHaveLength(150);
    expect(ADE20K_150.slice(0, 5)).toEqual(['wall', 'building', 'sky', 'floor', 'tree']);
    expect(ADE20K_150[7]).toBe('bed'); // 'bed ' in the checkpoints' configs, trimmed
    expect(ADE20K_150[12]).toBe('person');
    expect(ADE20K_150[136]).toBe('traffic light');
    expect(ADE20K_150[149]).toBe('flag');
    expect(new Set(ADE20K_150).size).toBe(150);
  });

  it('has one 8-bit RGB colour per class', () => {
    expect(ADE20K_PALETTE).toHaveLength(150);
    for (const c of ADE20K_PALETTE) {
      expect(c).toHaveLength(3);
      for (const v of c) expect(Number.isInteger(v) && v >= 0 && v <= 255).toBe(true);
    }
    expect(ADE20K_PALETTE[0]).toEqual([120, 120, 120]);
    expect(ADE20K_PALETTE[2]).toEqual([6, 230, 230]);
    expect(ADE20K_PALETTE[149]).toEqual([92, 0, 255]);
  });
});

describe('label sets and the SegFormer label option', () => {
  it('pairs Cityscapes names with their colours', () => {
    expect(CITYSCAPES_PALETTE).toHaveLength(CITYSCAPES_19.length);
    expect(CITYSCAPES_PALETTE[0]).toEqual([128, 64, 128]); // road
  });

  it('looks sets up by name; an unknown name is a typed error listing the known ones', () => {
    expect(labelSet('ade20k-150').labels).toBe(ADE20K_150);
    for (const set of Object.values(LABEL_SETS)) {
      if ('palette' in set) expect(set.palette).toHaveLength(set.labels.length);
    }
    expect(() => labelSet('ade21k')).toThrow(expect.objectContaining({ _tag: 'InvalidArgumentError' }));
    expect(() => labelSet('ade21k')).toThrow(/ade20k-150/);
  });

  it('the segformer recipes carry ADE20K (default, 512) or Cityscapes (1024)', () => {
    const ade = getRecipe('segformer');
    expect(ade.labels).toBe(ADE20K_150);
    expect(ade.palette).toBe(ADE20K_PALETTE);
    expect(ade.resize).toEqual({ kind: 'fixed', height: 512, width: 512 });
    const city = getRecipe('segformer-cityscapes');
    expect(city.labels).toBe(CITYSCAPES_19);
    expect(city.resize).toEqual({ kind: 'fixed', height: 1024, width: 1024 });
    expect(getRecipe('synthetic-segformer').palette).toBeUndefined();
  });

  it('segformerRecipe picks labels, palette, size and filter', () => {
    const r = segformerRecipe({ labels: 'cityscapes-19', size: [768, 1024], resample: 'pil' });
    expect(r.name).toBe('segformer-cityscapes-19');
    expect(r.labels).toBe(CITYSCAPES_19);
    expect(r.palette).toBe(CITYSCAPES_PALETTE);
    expect(r.resize).toEqual({ kind: 'fixed', height: 768, width: 1024 });
    expect(r.resample).toBe('pil');
    expect(r.task).toBe('segmentation');
    const own = segformerRecipe({ labels: ['bg', 'road'], size: 256 });
    expect(own.labels).toEqual(['bg', 'road']);
    expect(own.palette).toBeUndefined();
    expect(own.resize).toEqual({ kind: 'fixed', height: 256, width: 256 });
    expect(segformerRecipe().labels).toBe(ADE20K_150);
    expect(() => segformerRecipe({ labels: 'nope' as never })).toThrow(/known label sets/);
  });

  it('overlayMask paints with the dataset palette when given one, generated colours otherwise', () => {
    const image = { width: 2, height: 1, data: new Uint8Array([10, 20, 30, 10, 20, 30]) };
    const map = { width: 2, height: 1, classes: new Uint16Array([0, 1]) };
    const painted = overlayMask(image, map, 1, false, CITYSCAPES_PALETTE);
    expect([...painted.data.slice(0, 3)]).toEqual([...(CITYSCAPES_PALETTE[0] as readonly number[])]);
    expect([...painted.data.slice(3, 6)]).toEqual([...(CITYSCAPES_PALETTE[1] as readonly number[])]);
    const generated = overlayMask(image, map, 1, false);
    expect([...generated.data.slice(3, 6)]).toEqual([...classColor(1)]);
  });
});
