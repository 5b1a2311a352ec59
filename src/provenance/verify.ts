// Why: the checks live in ./verify/, one module per job; this file keeps every `./verify.js` import working.
export * from './verify/index.js';
