// Runs cpu_bench.wasm (see cpu_bench.rs) in node's V8: node cpu_bench.mjs <wasm> [quick] [gemm|train]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [path, ...args] = process.argv.slice(2);
let memory;
const env = {
  // BENCH_CLOCK=cpu: this process's CPU time, steadier than the wall clock on a busy machine.
  now_ms: process.env.BENCH_CLOCK === 'cpu' ? () => process.cpuUsage().user / 1000 : () => performance.now(),
  print: (ptr, len) => console.log(new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len))),
};
const module = await WebAssembly.compile(readFileSync(path));
const missing = WebAssembly.Module.imports(module).filter((i) => !(i.module === 'env' && i.name in env));
const imports = { env: { ...env } };
for (const i of missing) {
  imports[i.module] ??= {};
  imports[i.module][i.name] = () => { throw new Error(`unexpected import ${i.module}.${i.name}`); };
}
const { exports } = await WebAssembly.instantiate(module, imports);
memory = exports.memory;
const mode = (args.includes('quick') ? 1 : 0) | (args.includes('gemm') ? 2 : 0) | (args.includes('train') ? 4 : 0);
exports.bench(mode);
