export { type FileData, writeFileAtomic, writeFileAtomicSync } from './atomic.js';
