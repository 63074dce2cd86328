import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileError } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import {
  loadPlan,
  type PlanManifest,
  PlanMismatchError,
  planCacheKey,
  savePlan,
  sha256,
} from '../../src/tensorrt/index.js';

function manifestFor(plan: Uint8Array, runtime = 101600): PlanManifest {
  return {
    format: 'trtkit-plan/1',
    tensorrt: { compiled: '10.16.0', runtime },
    gpu: { name: 'NVIDIA H100 80GB HBM3', computeCapability: '9.0' },
    precision: 'strong',
    profiles: [{ pixel_values: { min: [1, 3, 64, 64], opt: [1, 3, 128, 128], max: [4, 3, 256, 256] } }],
    onnxSha256: sha256(new Uint8Array([1, 2, 3])),
    planSha256: sha256(plan),
    createdAt: new Date(0).toISOString(),
  };
}

describe('plan files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trtkit-plan-'));
  const plan = new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff));

  it('round-trips a plan byte for byte with its manifest beside it', () => {
    const path = join(dir, 'a.plan');
    savePlan(path, plan, manifestFor(plan));
    const { plan: back, manifest } = loadPlan(path, {
      tensorrtRuntime: 101600,
      gpu: 'NVIDIA H100 80GB HBM3',
    });
    expect(Buffer.compare(Buffer.from(back), Buffer.from(plan))).toBe(0);
    expect(manifest.profiles[0]!.pixel_values!.max).toEqual([4, 3, 256, 256]);
    expect(JSON.parse(readFileSync(`${path}.json`, 'utf8')).format).toBe('trtkit-plan/1');
  });

  it('never overwrites without being asked', () => {
    const path = join(dir, 'b.plan');
    savePlan(path, plan, manifestFor(plan));
    expect(() => savePlan(path, plan, manifestFor(plan))).toThrow(FileError);
    expect(() => savePlan(path, plan, manifestFor(plan), true)).not.toThrow();
  });

  it('detects a damaged plan before TensorRT sees it', () => {
    const path = join(dir, 'c.plan');
    savePlan(path, plan, manifestFor(plan));
    const bytes = readFileSync(path);
    bytes[100] = (bytes[100]! ^ 0xff) & 0xff;
    writeFileSync(path, bytes);
    expect(() => loadPlan(path)).toThrow(PlanMismatchError);
  });

  it('refuses plans from another TensorRT version or GPU, and manifests that lie', () => {
    const path = join(dir, 'd.plan');
    savePlan(path, plan, manifestFor(plan, 100800));
    expect(() => loadPlan(path, { tensorrtRuntime: 110100 })).toThrow(/built with TensorRT 100800/);
    expect(() => loadPlan(path, { gpu: 'NVIDIA L4' })).toThrow(/built for NVIDIA H100/);
    expect(() => savePlan(join(dir, 'e.plan'), plan, manifestFor(new Uint8Array(3)))).toThrow(
      PlanMismatchError,
    );
    expect(() => loadPlan(join(dir, 'missing.plan'))).toThrow(FileError);
  });

  it('keys the cache on everything that shapes a plan, at any depth, independent of key order', () => {
    const onnx = new Uint8Array([9, 9, 9]);
    const base = { precision: 'strong', profiles: [{ x: { min: [1], opt: [2], max: [4] } }] };
    const k = planCacheKey({ onnx, options: base, tensorrtRuntime: 101600, gpu: 'H100' });
    expect(
      planCacheKey({
        onnx,
        options: { profiles: base.profiles, precision: 'strong' },
        tensorrtRuntime: 101600,
        gpu: 'H100',
      }),
    ).toBe(k);
    expect(
      planCacheKey({
        onnx,
        options: { ...base, profiles: [{ x: { min: [1], opt: [2], max: [8] } }] },
        tensorrtRuntime: 101600,
        gpu: 'H100',
      }),
    ).not.toBe(k);
    expect(planCacheKey({ onnx, options: base, tensorrtRuntime: 110100, gpu: 'H100' })).not.toBe(k);
    expect(planCacheKey({ onnx, options: base, tensorrtRuntime: 101600, gpu: 'L4' })).not.toBe(k);
    expect(
      planCacheKey({ onnx: new Uint8Array([9, 9, 8]), options: base, tensorrtRuntime: 101600, gpu: 'H100' }),
    ).not.toBe(k);
  });
});
