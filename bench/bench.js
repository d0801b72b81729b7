// The bench page's side of `cargo xtask bench`: times one configuration at a time, called by the
// Playwright driver (bench/run.mjs) as `window.bench.run(item)`.
//
// Engines: ours (crates/bench compiled to wasm: the engine's CPU and WebGPU backends), TensorFlow.js
// 4.22 (webgpu, wasm, cpu backends) and ConvNetJS 0.3.0. Every engine trains a workload on the same
// training set, from the same initial weights (ours, converted from PyTorch to Keras/ConvNetJS
// layouts), in the same batch order (our trainer's seeded shuffles), as exported by
// `export_workload`. A timed block of n steps ends with a read-back (ours: the parameters;
// TF.js: `await loss.data()`), so GPU work is finished inside it. Figures are medians of several
// blocks after a warm-up.
import init, * as dl from './pkg/bench.js';

const log = (s) => { document.getElementById('log').textContent += s + '\n'; };
const exports = new Map();
let gpuInfo = null;

async function workload(name) {
  if (!exports.has(name)) exports.set(name, JSON.parse(await dl.export_workload(name, 4)));
  return exports.get(name);
}

/** The batches of the exported order: per epoch, consecutive runs of `batch` rows, the last short. */
function batches(ex) {
  const out = [];
  for (let e = 0; e * ex.n < ex.order.length; e++) {
    const epoch = ex.order.slice(e * ex.n, (e + 1) * ex.n);
    for (let i = 0; i < ex.n; i += ex.batch) out.push(Int32Array.from(epoch.slice(i, i + ex.batch)));
  }
  return out;
}

/** Median rate (units per second) of `repeats` blocks sized to about `blockMs`, after a warm-up. */
async function measure(block, { blockMs, repeats }) {
  const time = async (n) => { const t = performance.now(); await block(n); return (performance.now() - t) / 1000; };
  const warm = await time(1);
  const target = blockMs / 1000;
  let n = 1;
  if (warm >= 2 * target) {
    // One step already takes longer than a block (TF.js webgpu on SwiftShader, big GEMMs on a
    // software GPU): time single steps, at most 3 of them, to keep the run short.
    const rates = [];
    for (let r = 0; r < Math.min(repeats, 3); r++) rates.push(1 / await time(1));
    rates.sort((a, b) => a - b);
    return { rate: rates[Math.floor(rates.length / 2)], block: 1, rates };
  }
  for (;;) {
    const t = await time(n);
    if (t >= target / 3 || n >= 1 << 22) { n = Math.max(1, Math.ceil(n * target / Math.max(t, 1e-6))); break; }
    n *= Math.min(64, Math.max(2, Math.ceil(target / 3 / Math.max(t, 1e-6))));
  }
  const rates = [];
  for (let r = 0; r < repeats; r++) rates.push(n / await time(n));
  rates.sort((a, b) => a - b);
  return { rate: rates[Math.floor(rates.length / 2)], block: n, rates };
}

// ---- weight layouts ----------------------------------------------------------------------------

const trainable = (ex) => ex.layers.filter((l) => l.weight.length > 0);

/** Dense `[out, in]` (PyTorch) to Keras `[in, out]`; an input that is a flattened CHW image maps
 *  to Keras' HWC flatten order (`image` = {c, h, w}). */
function denseKernel(l, image) {
  const [out, inn] = l.weight_shape;
  const k = new Float32Array(inn * out);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inn; i++) {
      let j = i;
      if (image) {
        const c = Math.floor(i / (image.h * image.w)), hw = i % (image.h * image.w);
        j = hw * image.c + c;
      }
      k[j * out + o] = l.weight[o * inn + i];
    }
  }
  return k;
}

/** Conv `[O, C, KH, KW]` to Keras `[KH, KW, C, O]`. */
function convKernel(l) {
  const [O, C, KH, KW] = l.weight_shape;
  const k = new Float32Array(O * C * KH * KW);
  for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let y = 0; y < KH; y++) for (let x = 0; x < KW; x++) {
    k[((y * KW + x) * C + c) * O + o] = l.weight[((o * C + c) * KH + y) * KW + x];
  }
  return k;
}

/** `[rows, cols]` row-major to `[cols, rows]`. */
function transpose(a, rows, cols) {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

// ---- TensorFlow.js -----------------------------------------------------------------------------

function tfModel(name, ex) {
  const L = tf.layers;
  const m = tf.sequential();
  const [a, b, c, d] = trainable(ex);
  const w = [];
  switch (name) {
    case 'W1':
      m.add(L.dense({ units: 4, activation: 'tanh', inputShape: [ex.width] }));
      m.add(L.dense({ units: 2, activation: 'tanh' }));
      m.add(L.dense({ units: 1, activation: ex.output_activation === 'tanh' ? 'tanh' : 'linear' }));
      for (const l of [a, b, c]) w.push(tf.tensor(denseKernel(l), [l.weight_shape[1], l.weight_shape[0]]), tf.tensor(l.bias));
      break;
    case 'W2':
      m.add(L.dense({ units: 64, activation: 'relu', inputShape: [ex.width] }));
      m.add(L.dense({ units: 64, activation: 'relu' }));
      m.add(L.dense({ units: 64, activation: 'relu' }));
      m.add(L.dense({ units: ex.outputs }));
      for (const l of [a, b, c, d]) w.push(tf.tensor(denseKernel(l), [l.weight_shape[1], l.weight_shape[0]]), tf.tensor(l.bias));
      break;
    case 'W3':
      m.add(L.conv2d({ inputShape: [8, 8, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }));
      m.add(L.maxPooling2d({ poolSize: 2, strides: 2 }));
      m.add(L.flatten());
      m.add(L.dense({ units: ex.outputs }));
      w.push(tf.tensor(convKernel(a), [3, 3, 1, 8]), tf.tensor(a.bias));
      w.push(tf.tensor(denseKernel(b, { c: 8, h: 4, w: 4 }), [b.weight_shape[1], b.weight_shape[0]]), tf.tensor(b.bias));
      break;
    case 'W4': {
      const H = a.units, I = a.fan_in;
      m.add(L.lstm({ units: H, inputShape: [ex.width / I, I], recurrentActivation: 'sigmoid', recurrentInitializer: 'zeros' }));
      m.add(L.dense({ units: 1 }));
      // Gates i, f, g, o in both; Keras has one bias, PyTorch two.
      w.push(tf.tensor(transpose(a.weight, 4 * H, I), [I, 4 * H]), tf.tensor(transpose(a.weight_hh, 4 * H, H), [H, 4 * H]));
      w.push(tf.tensor(a.bias.map((v, i) => v + a.bias_hh[i])));
      w.push(tf.tensor(denseKernel(b), [b.weight_shape[1], b.weight_shape[0]]), tf.tensor(b.bias));
      break;
    }
    default: throw new Error(`no TF.js model for ${name}`);
  }
  m.setWeights(w);
  w.forEach((t) => t.dispose());
  return m;
}

async function tfRun(item, cfg) {
  const ex = await workload(item.workload);
  await tf.setBackend(item.backend);
  await tf.ready();
  const model = tfModel(item.workload, ex);
  const xShape = { W1: [ex.n, ex.width], W2: [ex.n, ex.width], W3: [ex.n, 8, 8, 1], W4: [ex.n, ex.width, 1] }[item.workload];
  const X = tf.tensor(ex.x, xShape);
  const classify = ex.spec.loss === 'softmax_cross_entropy';
  const Y = classify ? tf.tidy(() => tf.oneHot(tf.tensor1d(ex.y, 'int32'), ex.outputs).toFloat()) : tf.tensor(ex.y, [ex.n, 1]);
  const idx = batches(ex).map((b) => tf.tensor1d(b, 'int32'));
  const opt = ex.spec.optimizer.kind === 'sgd' ? tf.train.sgd(ex.spec.optimizer.lr) : tf.train.adam(ex.spec.optimizer.lr, 0.9, 0.999, 1e-8);
  // Same weights, same data: the loss over the training set before any step must match ours.
  const l0 = tf.tidy(() => {
    const p = model.apply(X);
    return classify ? tf.losses.softmaxCrossEntropy(Y, p) : tf.losses.meanSquaredError(Y, p);
  });
  const initLoss = (await l0.data())[0];
  l0.dispose();
  let step = 0;
  const loss = () => {
    const i = idx[step++ % idx.length];
    const xb = tf.gather(X, i), yb = tf.gather(Y, i);
    const p = model.apply(xb, { training: true });
    return classify ? tf.losses.softmaxCrossEntropy(yb, p) : tf.losses.meanSquaredError(yb, p);
  };
  const block = async (n) => {
    let cost = null;
    for (let k = 0; k < n; k++) {
      if (cost) cost.dispose();
      cost = opt.minimize(loss, true);
    }
    await cost.data(); // dataSync is wrong on SwiftShader's WebGPU
    cost.dispose();
  };
  try {
    const r = await measure(block, cfg);
    r.initLoss = initLoss;
    return r;
  } finally {
    model.dispose(); X.dispose(); Y.dispose(); idx.forEach((t) => t.dispose()); opt.dispose();
  }
}

async function tfGemm(item, cfg) {
  await tf.setBackend(item.backend);
  await tf.ready();
  const a = tf.randomUniform([item.n, item.n], -1, 1), b = tf.randomUniform([item.n, item.n], -1, 1);
  const block = async (reps) => {
    let c = null;
    for (let r = 0; r < reps; r++) { if (c) c.dispose(); c = tf.matMul(a, b); }
    await c.data();
    c.dispose();
  };
  try {
    return await measure(block, cfg);
  } finally { a.dispose(); b.dispose(); }
}

// ---- ConvNetJS ---------------------------------------------------------------------------------

async function convnetRun(item, cfg) {
  const ex = await workload(item.workload);
  const C = convnetjs;
  const defs = {
    W1: [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: 2 }, { type: 'fc', num_neurons: 4, activation: 'tanh' },
      { type: 'fc', num_neurons: 2, activation: 'tanh' }, { type: 'regression', num_neurons: 1 }],
    W2: [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: 2 }, { type: 'fc', num_neurons: 64, activation: 'relu' },
      { type: 'fc', num_neurons: 64, activation: 'relu' }, { type: 'fc', num_neurons: 64, activation: 'relu' },
      { type: 'softmax', num_classes: 2 }],
    W3: [{ type: 'input', out_sx: 8, out_sy: 8, out_depth: 1 }, { type: 'conv', sx: 3, filters: 8, stride: 1, pad: 1, activation: 'relu' },
      { type: 'pool', sx: 2, stride: 2 }, { type: 'softmax', num_classes: 10 }],
  }[item.workload];
  if (!defs) throw new Error('ConvNetJS has no LSTM');
  const net = new C.Net();
  net.makeLayers(defs);
  if (item.workload === 'W1') {
    // Our output is tanh then MSE; `regression` puts a linear fc before it: add the tanh.
    const last = net.layers.length - 1;
    net.layers.splice(last, 0, new C.TanhLayer({ in_sx: 1, in_sy: 1, in_depth: 1 }));
  }
  const ours = trainable(ex);
  const theirs = net.layers.filter((l) => l.layer_type === 'fc' || l.layer_type === 'conv');
  if (ours.length !== theirs.length) throw new Error(`layer count ${ours.length} vs ${theirs.length}`);
  theirs.forEach((t, li) => {
    const l = ours[li];
    if (t.layer_type === 'conv') {
      const [O, Ci, KH, KW] = l.weight_shape;
      for (let o = 0; o < O; o++) for (let c = 0; c < Ci; c++) for (let y = 0; y < KH; y++) for (let x = 0; x < KW; x++) {
        t.filters[o].w[((KW * y) + x) * Ci + c] = l.weight[((o * Ci + c) * KH + y) * KW + x];
      }
    } else {
      const [out, inn] = l.weight_shape;
      const hw = t.in_sx * t.in_sy;
      for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) {
        const c = Math.floor(i / hw), p = i % hw; // ours: CHW; theirs: HWC
        t.filters[o].w[p * t.in_depth + c] = l.weight[o * inn + i];
      }
    }
    for (let o = 0; o < l.bias.length; o++) t.biases.w[o] = l.bias[o];
  });
  // ConvNetJS 0.3.0 has no Adam: the Adam workloads use adadelta (also two state arrays).
  const sgd = ex.spec.optimizer.kind === 'sgd';
  const trainer = new C.Trainer(net, sgd
    ? { method: 'sgd', learning_rate: ex.spec.optimizer.lr, momentum: 0, batch_size: ex.batch, l2_decay: 0 }
    : { method: 'adadelta', batch_size: ex.batch, l2_decay: 0 });
  const [sx, sy, depth] = item.workload === 'W3' ? [8, 8, 1] : [1, 1, ex.width];
  const vols = [];
  for (let i = 0; i < ex.n; i++) {
    const v = new C.Vol(sx, sy, depth, 0.0);
    for (let j = 0; j < ex.width; j++) v.w[j] = ex.x[i * ex.width + j];
    vols.push(v);
  }
  // Plain arrays and numbers: typed-array targets make ConvNetJS warn per sample.
  const targets = Array.from(ex.y, (y) => (sgd && item.workload === 'W1' ? [y] : Math.round(y)));
  const bs = batches(ex);
  let step = 0;
  const block = async (n) => {
    for (let k = 0; k < n; k++) {
      for (const i of bs[step++ % bs.length]) trainer.train(vols[i], targets[i]);
    }
  };
  const r = await measure(block, cfg);
  r.note = sgd ? undefined : 'adadelta (ConvNetJS 0.3.0 has no Adam)';
  return r;
}

// ---- ours --------------------------------------------------------------------------------------

async function oursRun(item, cfg) {
  const id = item.workload === 'W5' ? dl.gemm_new(item.n, item.backend) : dl.train_new(item.workload, item.backend);
  try {
    return await measure((n) => dl.block(id, n), cfg);
  } finally {
    dl.drop_run(id);
  }
}

// ---- entry points ------------------------------------------------------------------------------

/** Times one configuration: {workload, engine: dl101|tfjs|convnetjs, backend, n (W5)}. Returns
 *  {steps_per_s, samples_per_s, gflops?, block, rates, note?}. */
async function run(item, cfg) {
  let r;
  if (item.engine === 'dl101') r = await oursRun(item, cfg);
  else if (item.engine === 'tfjs') r = item.workload === 'W5' ? await tfGemm(item, cfg) : await tfRun(item, cfg);
  else if (item.engine === 'convnetjs') r = await convnetRun(item, cfg);
  else throw new Error(`unknown engine ${item.engine}`);
  const out = { steps_per_s: r.rate, block: r.block, rates: r.rates, note: r.note };
  if (item.workload === 'W5') {
    out.samples_per_s = r.rate;
    out.gflops = (r.rate * 2 * item.n ** 3) / 1e9;
  } else {
    const ex = await workload(item.workload);
    out.samples_per_s = r.rate * (ex.n / Math.ceil(ex.n / ex.batch));
    if (r.initLoss !== undefined) {
      out.initial_loss = r.initLoss;
      out.initial_loss_ours = ex.initial_train_loss;
      const rel = Math.abs(r.initLoss - ex.initial_train_loss) / Math.max(1e-6, Math.abs(ex.initial_train_loss));
      out.note = rel < 1e-3 ? `initial loss ${r.initLoss.toPrecision(5)} = ours` : `INITIAL LOSS ${r.initLoss.toPrecision(5)} != ours ${ex.initial_train_loss.toPrecision(5)}: weights or data differ`;
    }
  }
  log(`${item.workload} ${item.engine} ${item.backend}${item.n ? ' n=' + item.n : ''}: ${r.rate.toFixed(1)}/s`);
  return out;
}

async function gpuInit() {
  if (!gpuInfo) gpuInfo = JSON.parse(await dl.gpu_init());
  return gpuInfo;
}

await init();
tf.wasm.setWasmPaths(new URL('vendor/', location.href).toString());
window.bench = { run, gpuInit, link: (name) => dl.workload_link(name), tfVersion: tf.version.tfjs };
window.benchReady = true;
log('ready');
