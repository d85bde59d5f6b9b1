// The public API: load a profile, check it, render the result.
export * from './types.js';
export { ProbeError, ProfileError, UsageError } from './errors.js';
export { loadProfile, loadProfileFile, listProfileIds } from './profile/load.js';
export { expand } from './profile/expand.js';
export { checkProfile, type CheckOptions } from './check.js';
export { runChecks, runCheck } from './probe/run.js';
export { classify } from './probe/classify.js';
export { judge } from './probe/judge.js';
export { FORMATS, FORMAT_NAMES } from './report/formats.js';
export { exitCode } from './report/exit.js';
export { main } from './cli/main.js';
