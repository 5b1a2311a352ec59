// The models module's public surface: the shared model file format, the forecaster, risk, drift,
// evaluation, and the generative art model.
export * from './drift/index.js';
export * from './evaluation/index.js';
export * from './forecast/index.js';
export * from './generator/index.js';
export * from './modelFile.js';
export * from './risk/index.js';
