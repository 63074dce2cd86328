// The one place that names the IR type the framework works on.
import type { Model } from '@trtkit/core';

export type PassModel = Model;

export function cloneModel(model: PassModel): PassModel {
  return model.clone();
}
