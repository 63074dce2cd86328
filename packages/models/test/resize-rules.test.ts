import { describe, expect, it } from 'vitest';
import { resizedSize, shortestEdgeSize } from '../src/index.js';

describe('DETR resize rule (shortest 800, longest 1333)', () => {
  it('scales the shortest side to 800 when the longest stays within 1333', () => {
    // 480x640: 800/480 * 640 = 1066.67 -> int() truncates to 1066.
    expect(shortestEdgeSize(480, 640, 800, 1333)).toEqual([800, 1066]);
    expect(shortestEdgeSize(640, 480, 800, 1333)).toEqual([1066, 800]);
  });
  it('caps the longest side at 1333 with banker-free truncation of the other', () => {
    // 1080x1920: 1920/1080*800 = 1422 > 1333 -> raw = 1333*1080/1920 = 749.8125 -> size 750, ow = int(749.8125*1920/1080) = 1333
    expect(shortestEdgeSize(1080, 1920, 800, 1333)).toEqual([750, 1333]);
    // 500x2000: raw = 333.25 -> 333; ow = int(333.25*4) = 1333
    expect(shortestEdgeSize(500, 2000, 800, 1333)).toEqual([333, 1333]);
  });
  it('keeps images whose shortest side already has the size, and squares', () => {
    expect(shortestEdgeSize(800, 1000, 800, 1333)).toEqual([800, 1000]);
    expect(shortestEdgeSize(100, 100, 800, 1333)).toEqual([800, 800]);
  });
  it('applies fixed and no-op rules', () => {
    expect(resizedSize({ kind: 'fixed', height: 640, width: 640 }, 480, 1000)).toEqual([640, 640]);
    expect(resizedSize({ kind: 'none' }, 37, 91)).toEqual([37, 91]);
  });
});
