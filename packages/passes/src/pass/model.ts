// The one place that names the IR type the framework works on.
import type { Model } from './graph/ir.js';

export type PassModel = Model;

export function cloneModel(model: PassModel): PassModel {
  return model.clone();
}
