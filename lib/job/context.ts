/** Moved to lib/context/ (below lib/net, which uses it too); this path stays for existing imports. */
export * from '../context/ManagedContext.js';
