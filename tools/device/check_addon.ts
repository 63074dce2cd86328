// Checks the CUDA addon through its JS API on a real GPU: device buffers, streams, events, dispose and GC,
// and every kernel against the TypeScript CPU references on fresh random inputs (outputs poisoned first).
// Bundled by build.sh into packages/trt-native/build/device/check-addon.mjs; run with `node --expose-gc`.
import {
  float16ToFloat32Array,
  float32ToFloat16Array,
  type HostTensor,
  InvalidArgumentError,
  tensor,
} from '@trtkit/core';
import {
  CudaEvent,
  CudaStream,
  cudaInfo,
  DeviceBuffer,
  DeviceDisposedError,
  DeviceTensor,
  detrDecodeSigmoidTopK,
  detrDecodeSigmoidTopKReference,
  detrDecodeSoftmax,
  detrDecodeSoftmaxReference,
  deviceMemory,
  IMAGENET_MEAN,
  IMAGENET_STD,
  layerNorm,
  layerNormReference,
  loadCudaAddon,
  msdaForward,
  msdaReference,
  preprocessImage,
  preprocessReference,
  upsampleArgmax,
  upsampleArgmaxReference,
} from '../../packages/trt-native/src/index.js';

let failed = 0;
let passed = 0;
function check(name: string, ok: boolean, detail: unknown = ''): void {
  if (ok) passed++;
  else failed++;
  console.log(
    `[${ok ? 'ok' : 'FAIL'}] ${name} ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`,
  );
}
function throwsType(name: string, call: () => unknown, type: new (...a: never[]) => Error): void {
  try {
    call();
    check(name, false, 'did not throw');
  } catch (e) {
    check(
      name,
      e instanceof type,
      `${(e as Error).constructor.name}: ${(e as Error).message.split('\n')[0]}`,
    );
  }
}

let seed = 12345;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const randn = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

function floats(
  dtype: 'float32' | 'float16',
  dims: number[],
  gen: () => number,
): HostTensor<'float32' | 'float16'> {
  const n = dims.reduce((a, b) => a * b, 1);
  const v = Float32Array.from({ length: n }, gen);
  return dtype === 'float32' ? tensor('float32', dims, v) : tensor('float16', dims, float32ToFloat16Array(v));
}
function values(t: HostTensor): Float32Array {
  return t.dtype === 'float16' ? float16ToFloat32Array(t.data as Uint16Array) : (t.data as Float32Array);
}
function relErr(out: HostTensor, ref: HostTensor): number {
  const a = values(out);
  const b = values(ref);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) return Number.POSITIVE_INFINITY;
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
}
function poisoned<D extends 'float32' | 'float16' | 'int32' | 'uint8'>(
  dtype: D,
  dims: number[],
): DeviceTensor<D> {
  const t = DeviceTensor.alloc(dtype, dims);
  t.buffer.fill(0xff); // NaN for floats, -1 / 255 for integers
  return t;
}
const bound = { float32: 1e-5, float16: 2e-3 };

async function main(): Promise<void> {
  const info = cudaInfo();
  check('cudaInfo', info.deviceCount >= 1, info);
  const mem0 = deviceMemory();
  check('deviceMemory', mem0.total > 0 && mem0.free > 0, mem0);

  // ---- buffers, streams, events
  const stream = CudaStream.create();
  const host = Float32Array.from({ length: 1 << 20 }, (_, i) => i * 0.5);
  const a = DeviceBuffer.from(host, stream);
  const b = DeviceBuffer.alloc(a.byteLength);
  b.copyFrom(a, a.byteLength, { stream });
  const back = b.download(new Float32Array(host.length), { stream });
  check(
    'upload / copyFrom / download round trip',
    back.every((v, i) => v === host[i]),
  );
  const part = new Float32Array(4);
  a.download(part, { byteOffset: 4 * 1000 });
  check('download at an offset', part[0] === 500 && part[3] === 501.5, Array.from(part));
  b.upload(Float32Array.from([7, 8]), { byteOffset: 8, stream });
  const head = b.download(new Float32Array(4), { stream });
  check('upload at an offset', head.join() === '0,0.5,7,8', Array.from(head));
  b.fill(0, stream);
  check(
    'fill',
    b.download(new Uint8Array(16), { stream }).every((v) => v === 0),
  );
  throwsType(
    'download past the end is rejected',
    () => a.download(new Float32Array(10), { byteOffset: a.byteLength - 8 }),
    InvalidArgumentError,
  );
  const e0 = CudaEvent.create();
  const e1 = CudaEvent.create();
  e0.record(stream);
  const x = DeviceTensor.fromHost(floats('float16', [4096, 256], randn), stream);
  layerNorm({ x, stream });
  e1.record(stream);
  e1.synchronize();
  const ms = e1.elapsedSince(e0);
  check('events time stream work', ms > 0 && ms < 1000, { ms });

  // ---- dispose: typed errors, never a use-after-free
  a.dispose();
  a.dispose(); // idempotent
  check('disposed flag', a.disposed);
  throwsType('upload to a disposed buffer', () => a.upload(host), DeviceDisposedError);
  throwsType('download from a disposed buffer', () => a.download(new Float32Array(4)), DeviceDisposedError);
  throwsType('copy from a disposed buffer', () => b.copyFrom(a, 16), DeviceDisposedError);
  x.dispose();
  throwsType('kernel on a disposed tensor', () => layerNorm({ x }), DeviceDisposedError);
  e0.dispose();
  throwsType('disposed event', () => e1.elapsedSince(e0), DeviceDisposedError);
  const s2 = CudaStream.create();
  s2.dispose();
  throwsType('disposed stream', () => b.fill(0, s2), DeviceDisposedError);
  // The addon checks too, below the TypeScript layer.
  const addon = loadCudaAddon();
  const raw = new addon.DeviceBuffer(64);
  raw.dispose();
  try {
    raw.copyFromHost(new Uint8Array(8));
    check('addon rejects a disposed buffer', false);
  } catch (e) {
    check('addon rejects a disposed buffer', (e as { trtkitKind?: string }).trtkitKind === 'disposed');
  }
  try {
    const small = new addon.DeviceBuffer(16);
    addon.layerNorm({ dtype: 0, rows: 4, cols: 4, eps: 1e-5, x: small, y: small });
    check('addon rejects a buffer smaller than the shape', false);
  } catch (e) {
    check(
      'addon rejects a buffer smaller than the shape',
      (e as { trtkitKind?: string }).trtkitKind === 'argument',
    );
  }

  // ---- GC frees undisposed buffers (no leak)
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    const before = deviceMemory().free;
    for (let i = 0; i < 64; i++) DeviceBuffer.alloc(256 << 20); // 16 GiB in total, never disposed
    for (let i = 0; i < 5; i++) {
      g();
      await new Promise((r) => setImmediate(r));
    }
    const after = deviceMemory().free;
    check('GC frees undisposed buffers', before - after < 512 << 20, {
      beforeGiB: before / 2 ** 30,
      afterGiB: after / 2 ** 30,
    });
  } else check('GC frees undisposed buffers', false, 'run node with --expose-gc');

  // ---- kernels vs the TypeScript references
  for (const dtype of ['float32', 'float16'] as const) {
    const levels = [
      [10, 13],
      [5, 7],
      [3, 4],
    ];
    const S = levels.reduce((s, [h, w]) => s + h! * w!, 0);
    for (const [N, M, D, Lq, P] of [
      [2, 4, 32, 50, 4],
      [1, 2, 24, 33, 2],
      [1, 3, 20, 9, 3],
    ] as const) {
      const L = levels.length;
      const value = floats(dtype, [N, S, M, D], randn);
      const shapes = tensor('int32', [L, 2], Int32Array.from(levels.flat()));
      const starts = tensor('int32', [L], Int32Array.from([0, 130, 165]));
      const loc = floats('float32', [N, Lq, M, L, P, 2], () => rand() * 1.3 - 0.15);
      const aw = floats(dtype, [N, Lq, M, L, P], rand);
      const ref = msdaReference(value, shapes, starts, loc, aw);
      for (const impl of ['wide', 'scalar'] as const) {
        const output = poisoned(dtype, [N, Lq, M, D]);
        msdaForward({
          value: DeviceTensor.fromHost(value),
          spatialShapes: shapes,
          levelStartIndex: starts,
          samplingLocations: DeviceTensor.fromHost(loc),
          attentionWeights: DeviceTensor.fromHost(aw),
          output,
          impl,
          stream,
        });
        const err = relErr(output.toHost(stream), ref);
        check(`msda ${dtype} ${impl} N=${N} M=${M} D=${D} Lq=${Lq} P=${P}`, err < bound[dtype], {
          relErr: err,
        });
      }
    }
    for (const cols of [64, 200, 512, 3000]) {
      const xh = floats(dtype, [37, cols], () => randn() * 2 + 0.5);
      const gh = floats(dtype, [cols], randn);
      const bh = floats(dtype, [cols], randn);
      const y = poisoned(dtype, [37, cols]);
      layerNorm({
        x: DeviceTensor.fromHost(xh),
        gamma: DeviceTensor.fromHost(gh),
        beta: DeviceTensor.fromHost(bh),
        y,
        stream,
      });
      const err = relErr(y.toHost(stream), layerNormReference(xh, gh, bh));
      check(`layerNorm ${dtype} 37x${cols}`, err < bound[dtype], { relErr: err });
    }
    {
      const [h, w] = [45, 61];
      const img = tensor(
        'uint8',
        [h, w, 3],
        Uint8Array.from({ length: h * w * 3 }, () => Math.floor(rand() * 256)),
      );
      const out = poisoned(dtype, [2, 3, 64, 96]);
      preprocessImage({
        image: DeviceTensor.fromHost(img),
        out,
        batchIndex: 1,
        resize: [60, 83],
        padValue: -1,
        stream,
      });
      const got = values(out.toHost(stream));
      const ref = preprocessReference(img, {
        outH: 64,
        outW: 96,
        resize: [60, 83],
        mean: IMAGENET_MEAN,
        std: IMAGENET_STD,
        padValue: -1,
      });
      let maxErr = 0;
      for (let i = 0; i < ref.data.length; i++)
        maxErr = Math.max(maxErr, Math.abs(got[3 * 64 * 96 + i]! - ref.data[i]!));
      const slot0Untouched = got.slice(0, 3 * 64 * 96).every((v) => Number.isNaN(v));
      check(
        `preprocess ${dtype} 45x61 -> 60x83 in 64x96, slot 1 of 2`,
        maxErr < (dtype === 'float32' ? 1e-4 : 4e-3) && slot0Untouched,
        {
          maxErr,
          slot0Untouched,
        },
      );
    }
    {
      const sizes = tensor('int32', [2, 2], Int32Array.from([480, 640, 720, 1280]));
      const logits = floats(dtype, [2, 30, 12], () => randn() * 3);
      const boxes = floats(dtype, [2, 30, 4], rand);
      const d = detrDecodeSoftmax({
        logits: DeviceTensor.fromHost(logits),
        boxes: DeviceTensor.fromHost(boxes),
        imageSizes: sizes,
        stream,
      });
      const r = detrDecodeSoftmaxReference(logits, boxes, sizes);
      const labelsOk = d.labels.toHost(stream).data.every((v, i) => v === r.labels.data[i]);
      const se = relErr(d.scores.toHost(stream), r.scores);
      const be = relErr(d.boxes.toHost(stream), r.boxes);
      check(`detrDecodeSoftmax ${dtype}`, labelsOk && se < 1e-4 && be < 1e-6, { labelsOk, se, be });
      const logits2 = floats(dtype, [2, 40, 9], () => Math.round(randn() * 2)); // many ties
      const boxes2 = floats(dtype, [2, 40, 4], rand);
      const k = 50;
      const t = detrDecodeSigmoidTopK({
        logits: DeviceTensor.fromHost(logits2),
        boxes: DeviceTensor.fromHost(boxes2),
        imageSizes: sizes,
        k,
        stream,
      });
      const rt = detrDecodeSigmoidTopKReference(logits2, boxes2, sizes, k);
      const tl = t.labels.toHost(stream).data.every((v, i) => v === rt.labels.data[i]);
      const ts = relErr(t.scores.toHost(stream), rt.scores);
      const tb = relErr(t.boxes.toHost(stream), rt.boxes);
      check(`detrDecodeSigmoidTopK ${dtype} (with ties)`, tl && ts < 1e-5 && tb < 1e-6, {
        labelsOk: tl,
        ts,
        tb,
      });
    }
    for (const outDType of ['int32', 'uint8'] as const) {
      const logits = floats(dtype, [2, 7, 9, 11], randn);
      const m = upsampleArgmax({ logits: DeviceTensor.fromHost(logits), size: [40, 37], outDType, stream });
      const got = m.toHost(stream).data;
      const ref = upsampleArgmaxReference(logits, [40, 37]).data;
      let mism = 0;
      for (let i = 0; i < ref.length; i++) if (got[i] !== ref[i]) mism++;
      check(`upsampleArgmax ${dtype} -> ${outDType}`, mism === 0, { mismatches: mism, pixels: ref.length });
    }
  }
  stream.synchronize();
  stream.dispose();
  console.log(`addon checks: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
