/**
 * The WebAssembly JSON kernel (src/wasm/exportKernel.ts, built by scripts/build-wasm.js):
 * the export writes with it (exportText.ts) and Node History / Plot Across Runs check the
 * values they skip with it (src/node/runNodeReader.ts). Pure: no `vscode`, no Node modules.
 *
 * Memory: bytes [STACK, INPUT) hold the kernel's bracket stack; a run's bytes go at INPUT,
 * followed by 64 zero bytes (a sentinel no token accepts, and room for 16-byte loads).
 */
import { EXPORT_KERNEL_WASM } from './exportKernelWasm';

export interface JsonKernel {
  readonly memory: WebAssembly.Memory;
  begin(inputEnd: number, outputStart: number): void;
  outputEnd(): number;
  /** Validates and writes the value at `start` pretty-printed; its end (and whitespace after), or < 0. */
  pretty(start: number, level: number, strict: number, maxDepth: number): number;
  /** Validates the value at `start` as `pretty` does where strict, writing nothing; its end, or < 0. */
  check(start: number, maxDepth: number): number;
}

/** Where a run's bytes start in the kernel's memory. */
export const KERNEL_INPUT = 65_536;
/** Zero bytes the kernel needs after the input. */
export const KERNEL_SENTINEL = 64;

let kernelModule: WebAssembly.Module | null | undefined;

/**
 * A new kernel instance (its own memory), or undefined where WebAssembly with SIMD is
 * missing. `onAbort` is what a trap inside (memory that cannot grow) throws.
 */
export function newJsonKernel(onAbort: () => never): JsonKernel | undefined {
  if (kernelModule === undefined) {
    try {
      kernelModule = new WebAssembly.Module(Buffer.from(EXPORT_KERNEL_WASM, 'base64'));
    } catch {
      kernelModule = null; // no WebAssembly SIMD here: the callers' TypeScript does the work
    }
  }
  return kernelModule ? (new WebAssembly.Instance(kernelModule, { env: { abort: onAbort } }).exports as unknown as JsonKernel) : undefined;
}

/** Grows the kernel's memory to at least `bytes`; false where a WebAssembly memory cannot hold that. */
export function growKernelMemory(kernel: JsonKernel, bytes: number): boolean {
  const pages = Math.ceil(bytes / 65_536) - kernel.memory.buffer.byteLength / 65_536;
  try {
    if (pages > 0) kernel.memory.grow(pages);
    return true;
  } catch {
    return false;
  }
}
