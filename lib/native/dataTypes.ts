/**
 * Types of the data part of the native surface (filled in by that work).
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DataBinding {}
