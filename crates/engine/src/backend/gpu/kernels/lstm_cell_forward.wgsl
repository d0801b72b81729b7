// One LSTM step, one thread per (row r, unit j) of the [N, H] state (PyTorch gate order i, f, g, o):
// gates[r, ·] holds the pre-activations on entry and the activated gates on exit (what the
// backward step needs); c holds c_{t−1} then c_t; h receives h_t = o⊙tanh(c_t).
struct Params { n: u32, hid: u32, g_off: u32, c_off: u32, h_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> gates: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;

// Clamped: tanh(±15) is ±1 in f32, and some drivers overflow on large arguments.
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    let state = p.n * p.hid;
    if (idx >= state) { return; }
    let r = idx / p.hid;
    let j = idx % p.hid;
    let g0 = p.g_off + r * 4u * p.hid + j;
    let i = sigmoid(gates[g0]);
    let f = sigmoid(gates[g0 + p.hid]);
    let g = tanh_c(gates[g0 + 2u * p.hid]);
    let o = sigmoid(gates[g0 + 3u * p.hid]);
    let ct = fma(f, c[p.c_off + idx], i * g);
    gates[g0] = i;
    gates[g0 + p.hid] = f;
    gates[g0 + 2u * p.hid] = g;
    gates[g0 + 3u * p.hid] = o;
    c[p.c_off + state + idx] = ct;
    h[p.h_off + idx] = o * tanh_c(ct);
}
