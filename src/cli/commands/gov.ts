// Why: `provenant gov` lives in ./gov/, a module a step; this path stays so every existing import (the lazy
// handlers of gov.register.ts, `model approve`, tests) keeps working unchanged.
export * from './gov/index.js';
