import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { FileError } from '@trtkit/core';
import { PlanMismatchError } from './errors.js';

/**
 * What a plan was built from and for. The plan file itself stays byte-for-byte what TensorRT wrote, so native tools
 * (trtexec, Polygraphy) load it; this manifest sits beside it as `<plan>.json`.
 */
export interface PlanManifest {
  readonly format: 'trtkit-plan/1';
  readonly tensorrt: { readonly compiled: string; readonly runtime: number };
  readonly gpu?: { readonly name: string; readonly computeCapability: string };
  readonly precision: 'strong' | 'fp16-flag';
  readonly profiles: readonly Readonly<Record<string, { min: number[]; opt: number[]; max: number[] }>>[];
  readonly recipe?: string;
  readonly onnxSha256: string;
  readonly planSha256: string;
  readonly createdAt: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** JSON with object keys sorted at every depth, so equal options always hash equally. */
function stableJson(value: unknown): string {
  if (value instanceof Uint8Array) return JSON.stringify(sha256(value));
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && typeof v !== 'function')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A key that changes whenever anything that shapes the plan changes: model bytes, options, TensorRT, GPU. */
export function planCacheKey(parts: {
  onnx: Uint8Array;
  options: unknown;
  tensorrtRuntime: number;
  gpu?: string;
}): string {
  const h = createHash('sha256');
  h.update(sha256(parts.onnx));
  h.update(stableJson(parts.options ?? {}));
  h.update(String(parts.tensorrtRuntime));
  h.update(parts.gpu ?? '');
  return h.digest('hex').slice(0, 32);
}

function atomicWrite(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Writes the plan and its manifest atomically; refuses to replace existing files unless `overwrite`. */
export function savePlan(path: string, plan: Uint8Array, manifest: PlanManifest, overwrite = false): void {
  for (const p of [path, `${path}.json`]) {
    if (!overwrite && existsSync(p)) {
      throw new FileError(p, 'exists', { hint: 'pass overwrite (CLI: --force) to replace it' });
    }
  }
  if (manifest.planSha256 !== sha256(plan)) {
    throw new PlanMismatchError('the manifest does not describe this plan (hash differs)');
  }
  atomicWrite(path, plan);
  atomicWrite(`${path}.json`, `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Reads a plan and checks it against its manifest and this machine before TensorRT sees it: a damaged file or one
 * built for another TensorRT version or GPU is a typed error here, not a crash in deserialization.
 */
export function loadPlan(
  path: string,
  expect: { tensorrtRuntime?: number; gpu?: string } = {},
): { plan: Uint8Array; manifest: PlanManifest } {
  if (!existsSync(path)) throw new FileError(path, 'no such plan file');
  const manifestPath = `${path}.json`;
  if (!existsSync(manifestPath)) {
    throw new FileError(manifestPath, 'the plan has no manifest', {
      hint: 'plans built by trtkit carry one; rebuild the plan with trtkit build',
    });
  }
  let manifest: PlanManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PlanManifest;
  } catch (cause) {
    throw new FileError(manifestPath, 'the manifest is not valid JSON', { cause });
  }
  if (manifest.format !== 'trtkit-plan/1') {
    throw new PlanMismatchError(`${manifestPath}: unknown manifest format '${String(manifest.format)}'`);
  }
  const plan = new Uint8Array(readFileSync(path));
  if (sha256(plan) !== manifest.planSha256) {
    throw new PlanMismatchError(`${path}: the plan's bytes do not match its manifest (damaged or replaced)`, {
      hint: 'rebuild the plan',
    });
  }
  if (expect.tensorrtRuntime !== undefined && expect.tensorrtRuntime !== manifest.tensorrt.runtime) {
    throw new PlanMismatchError(
      `${path} was built with TensorRT ${manifest.tensorrt.runtime}, this machine runs ${expect.tensorrtRuntime}`,
      { hint: 'plans are tied to one TensorRT version: rebuild it here' },
    );
  }
  if (expect.gpu !== undefined && manifest.gpu && expect.gpu !== manifest.gpu.name) {
    throw new PlanMismatchError(
      `${path} was built for ${manifest.gpu.name}, this machine has ${expect.gpu}`,
      {
        hint: 'plans are tied to one GPU model: rebuild it here',
      },
    );
  }
  return { plan, manifest };
}
