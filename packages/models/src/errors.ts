import { TrtkitError } from '@trtkit/core';

/** An image could not be decoded (corrupt, truncated, unsupported format). */
export class ImageDecodeError extends TrtkitError {
  readonly _tag = 'ImageDecodeError';
}

/** Raw pixels were passed with a layout, dtype or size other than the one declared or expected. */
export class ImageLayoutError extends TrtkitError {
  readonly _tag = 'ImageLayoutError';
}

/** No recipe of that name. */
export class UnknownRecipeError extends TrtkitError {
  readonly _tag = 'UnknownRecipeError';
}

/** A model's outputs are not what the recipe's postprocessing expects. */
export class RecipeOutputError extends TrtkitError {
  readonly _tag = 'RecipeOutputError';
}
