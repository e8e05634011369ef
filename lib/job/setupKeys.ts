/** Moved to lib/context/ (lib/net hangs setup hooks on nets too); this path stays for existing imports. */
export { SetupKey } from '../context/setupKeys.js';
