/**
 * Types of the kernel part of the native surface (filled in by that work).
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface KernelBinding {}
