export { FileError, InvalidArgumentError, TrtkitError } from './trtkit-error.js';
