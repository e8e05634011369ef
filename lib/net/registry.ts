/** Moved to lib/runtime/opRegistry.ts (only runtime loads the addon); this path stays for existing imports. */
export * from '../runtime/opRegistry.js';
