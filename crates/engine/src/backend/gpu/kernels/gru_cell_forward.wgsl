// One GRU step, one thread per (row r, unit j) of the [N, H] state (PyTorch gate order r, z, n):
// gates[r, ·] holds x·W_ihᵀ + b_ih on entry and the activated r, z, n on exit; hp holds
// h_{t−1}·W_hhᵀ + b_hh; h holds h_{t−1} then receives h_t = (1 − z)⊙n + z⊙h_{t−1}, with
// n = tanh(gx_n + r⊙hp_n).
struct Params { n: u32, hid: u32, g_off: u32, hp_off: u32, h_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> gates: array<f32>;
@group(0) @binding(2) var<storage, read> hp: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    let state = p.n * p.hid;
    if (idx >= state) { return; }
    let row = idx / p.hid;
    let j = idx % p.hid;
    let g0 = p.g_off + row * 3u * p.hid + j;
    let h0 = p.hp_off + row * 3u * p.hid + j;
    let r = sigmoid(gates[g0] + hp[h0]);
    let z = sigmoid(gates[g0 + p.hid] + hp[h0 + p.hid]);
    // Clamped: tanh(±15) is ±1 in f32, and some drivers overflow on large arguments.
    let n = tanh(clamp(fma(r, hp[h0 + 2u * p.hid], gates[g0 + 2u * p.hid]), -15.0, 15.0));
    gates[g0] = r;
    gates[g0 + p.hid] = z;
    gates[g0 + 2u * p.hid] = n;
    let hprev = h[p.h_off + idx];
    h[p.h_off + state + idx] = fma(z, hprev - n, n);
}
