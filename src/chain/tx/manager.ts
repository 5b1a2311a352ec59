// Why: the transaction manager now lives in ./manager/ (one job per file); this path stays for existing imports.
export * from './manager/index.js';
