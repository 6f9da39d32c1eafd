src/app.js
import a from './a';
const b = require('./b');
export * from '@/c';
const d = await import('../pay');
