import { InvalidArgumentError } from '@trtkit/core';
import type { NativeBuildRequest, NativeProfile } from './addon.js';

/** min/opt/max shapes of one input for one optimization profile. */
export type InputProfile = NativeProfile;

export interface TensorRtBuildOptions {
  /**
   * 'strong' (default): every tensor's type comes from the ONNX graph, the only mode of TensorRT 11; FP16 engines come
   * from a mixed-precision graph. 'fp16-flag': TensorRT 10's deprecated weak typing with the FP16 builder flag.
   */
  readonly precision?: 'strong' | 'fp16-flag';
  readonly tf32?: boolean;
  readonly workspaceBytes?: number;
  /** Builder optimization level 0..5 (TensorRT default 3). */
  readonly optimizationLevel?: number;
  /** One record per optimization profile: input name -> min/opt/max dims. */
  readonly profiles?: readonly Readonly<Record<string, InputProfile>>[];
  readonly pluginLibraries?: readonly string[];
  readonly timingCache?: Uint8Array;
  /** Path of the .onnx file, so TensorRT's parser can find external weights next to it. */
  readonly modelPath?: string;
}

/** Checks a profile set before any build: same rank, positive dims, min <= opt <= max. */
export function validateProfiles(profiles: readonly Readonly<Record<string, InputProfile>>[]): void {
  profiles.forEach((profile, p) => {
    for (const [name, { min, opt, max }] of Object.entries(profile)) {
      if (min.length !== opt.length || opt.length !== max.length) {
        throw new InvalidArgumentError(
          `profile ${p}, input '${name}': min/opt/max must have the same rank (got ${min.length}/${opt.length}/${max.length})`,
        );
      }
      for (let i = 0; i < min.length; i++) {
        const [a, b, c] = [min[i]!, opt[i]!, max[i]!];
        if (![a, b, c].every((d) => Number.isInteger(d) && d > 0)) {
          throw new InvalidArgumentError(`profile ${p}, input '${name}': dims must be positive integers`);
        }
        if (!(a <= b && b <= c)) {
          throw new InvalidArgumentError(
            `profile ${p}, input '${name}', axis ${i}: need min <= opt <= max, got ${a} / ${b} / ${c}`,
          );
        }
      }
    }
  });
}

/** Turns user options into the addon's request for a given TensorRT major version; refuses impossible ones. */
export function resolveBuildRequest(
  onnx: Uint8Array,
  options: TensorRtBuildOptions,
  tensorrtMajor: number,
): NativeBuildRequest {
  const precision = options.precision ?? 'strong';
  if (precision === 'fp16-flag' && tensorrtMajor >= 11) {
    throw new InvalidArgumentError('TensorRT 11 has no FP16 builder flag (weak typing was removed)', {
      hint: "convert the graph with the toMixedPrecision pass and build with precision 'strong'",
    });
  }
  if (
    options.optimizationLevel !== undefined &&
    !(options.optimizationLevel >= 0 && options.optimizationLevel <= 5)
  ) {
    throw new InvalidArgumentError(`optimizationLevel must be 0..5, got ${options.optimizationLevel}`);
  }
  if (options.workspaceBytes !== undefined && !(options.workspaceBytes > 0)) {
    throw new InvalidArgumentError(`workspaceBytes must be positive, got ${options.workspaceBytes}`);
  }
  if (options.profiles) validateProfiles(options.profiles);
  return {
    onnx,
    stronglyTyped: precision === 'strong',
    fp16: precision === 'fp16-flag',
    ...(options.tf32 !== undefined ? { tf32: options.tf32 } : {}),
    ...(options.workspaceBytes !== undefined ? { workspaceBytes: options.workspaceBytes } : {}),
    ...(options.optimizationLevel !== undefined ? { optimizationLevel: options.optimizationLevel } : {}),
    ...(options.profiles ? { profiles: options.profiles.map((p) => ({ ...p })) } : {}),
    ...(options.pluginLibraries ? { pluginLibraries: [...options.pluginLibraries] } : {}),
    ...(options.timingCache ? { timingCache: options.timingCache } : {}),
    ...(options.modelPath ? { modelPath: options.modelPath } : {}),
  };
}
