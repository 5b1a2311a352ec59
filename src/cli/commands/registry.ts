// Why: `provenant model register|approve|shares|claim|show` lives in ./registry/, a module a command; this path
// stays so every existing import (the lazy handlers of registry.register.ts, tests) keeps working unchanged.
export * from './registry/index.js';
