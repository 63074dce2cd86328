export { attachReferenceFunctions, msdaReferenceFunction, stripReferenceFunctions } from './function.js';
export { withoutReferenceDefinitions, withReferenceDefinitions } from './reference-definitions.js';
