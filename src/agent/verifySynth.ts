// Why: existing imports name this path; the code lives in ./verifySynth/ (one check or step a module),
// whose index.ts is the same public surface this file had.
export * from './verifySynth/index.js';
