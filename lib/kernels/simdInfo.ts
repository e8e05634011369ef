import type { SimdInfo } from '../native/kernelTypes.js';
import { kernelNative } from '../runtime/nativeAreas.js';

export type { SimdInfo, SimdLevel } from '../native/kernelTypes.js';

/**
 * Which SIMD level the kernels use, what the CPU supports and what the binary
 * was compiled with. `HOGWILD_SIMD=scalar|avx2|avx512` lowers the level, never raises it.
 *
 * @example
 * console.log(simdInfo().active); // 'avx512' on a recent x86-64 server
 */
export function simdInfo(): SimdInfo {
  const info = kernelNative().simdInfo();
  return { active: info.active, supported: [...info.supported], compiledWith: [...info.compiledWith] };
}
