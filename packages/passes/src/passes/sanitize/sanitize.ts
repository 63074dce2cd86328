import { definePass } from '../../pass/define-pass.js';
import { prepareRanks, prune } from '../../pass/graph/index.js';
import type { Pass } from '../../pass/pass.js';
import { foldConstantMasks } from './constant-masks.js';
import { narrowFloat64 } from './float64.js';
import { clampSliceBounds } from './int64-bounds.js';
import { lintTensorRT } from './lint.js';
import type { TensorRTVersion } from './tensorrt-ops.js';

export interface SanitizeOptions {
  /** TensorRT major version the lint checks against (10 by default). */
  readonly tensorrt?: TensorRTVersion;
}

/** `sanitize` for a given TensorRT version; `sanitize` itself targets 10. */
export function sanitizeFor(options: SanitizeOptions = {}): Pass {
  const version = options.tensorrt ?? 10;
  return definePass({
    name: 'sanitize',
    description:
      'Prepare for TensorRT: float64 paths to float32, int64 Slice bounds into int32 range, constant Where/IsNaN ' +
      `mask chains folded; then lint every node TensorRT ${version} cannot build (reported as notes).`,
    apply(model, report) {
      prepareRanks(model);
      const graph = model.graph;
      narrowFloat64(graph, report);
      clampSliceBounds(graph, report);
      const folded = foldConstantMasks(graph, report);
      if (folded) {
        report.note(`${folded} constant mask op(s) folded`);
        report.removed(...prune(graph));
      }
      for (const f of lintTensorRT(model, version))
        report
          .count('lintFindings')
          .note(`lint: ${f.node ? `${f.node} (${f.opType})` : 'model'}: ${f.message}`);
    },
  });
}

export const sanitize: Pass = sanitizeFor();
