export { attachReferenceFunctions, msdaReferenceFunction, stripReferenceFunctions } from './function.js';
