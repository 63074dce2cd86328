export { OrtBackend, type OrtBackendOptions } from './ort-backend.js';
