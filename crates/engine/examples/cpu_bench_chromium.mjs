// Runs cpu_bench.wasm (see cpu_bench.rs) in headless Chromium (Debian's, through playwright-core
// from the repository's node_modules):
//   node crates/engine/examples/cpu_bench_chromium.mjs <wasm> [quick] [gemm|train]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const [path, ...args] = process.argv.slice(2);
const require = createRequire(resolve(process.env.NODE_MODULES_ROOT ?? '/work/main', 'package.json'));
const { chromium } = require('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
page.on('console', (m) => console.log(m.text()));
console.log('browser', browser.version());
const mode = (args.includes('quick') ? 1 : 0) | (args.includes('gemm') ? 2 : 0) | (args.includes('train') ? 4 : 0);
await page.evaluate(async ({ b64, mode }) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  let memory;
  const env = {
    now_ms: () => performance.now(),
    print: (ptr, len) => console.log(new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len))),
  };
  const module = await WebAssembly.compile(bytes);
  const imports = { env: { ...env } };
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.module === 'env' && i.name in env) continue;
    imports[i.module] ??= {};
    imports[i.module][i.name] = () => { throw new Error(`unexpected import ${i.module}.${i.name}`); };
  }
  const { exports } = await WebAssembly.instantiate(module, imports);
  memory = exports.memory;
  exports.bench(mode);
}, { b64: readFileSync(path).toString('base64'), mode });
await browser.close();
