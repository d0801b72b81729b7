// One GRU step with its hidden projection fused in (one thread per (row r, unit j), no barriers;
// PyTorch gate order r, z, n): hp[r, q·H + j] = h_{t−1}[r, :]·W_hh[q·H + j, :] + b_hh[q·H + j] for
// the three gates q (summed in the order gemm_small.wgsl uses, products then the bias), kept for
// the backward pass; then the cell of gru_cell_forward.wgsl: gates[r, ·] holds x·W_ihᵀ + b_ih on
// entry and the activated r, z, n on exit, and h_t = (1 − z)⊙n + z⊙h_{t−1} is written at
// h_off + N·H (h holds h_{t−1} at h_off). W_hh [3H, H] and b_hh [3H] are read from one buffer.
struct Params { n: u32, hid: u32, g_off: u32, hp_off: u32, h_off: u32, w_off: u32, b_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> gates: array<f32>;
@group(0) @binding(2) var<storage, read_write> hp: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read> w: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    let state = p.n * p.hid;
    if (idx >= state) { return; }
    let row = idx / p.hid;
    let j = idx % p.hid;
    let hrow = p.h_off + row * p.hid;
    let w0 = p.w_off + j * p.hid;
    let wq = p.hid * p.hid;
    var s = vec3<f32>(0.0);
    for (var k = 0u; k < p.hid; k++) {
        let at = w0 + k;
        s = fma(vec3<f32>(h[hrow + k]), vec3<f32>(w[at], w[at + wq], w[at + 2u * wq]), s);
    }
    let b0 = p.b_off + j;
    s += vec3<f32>(w[b0], w[b0 + p.hid], w[b0 + 2u * p.hid]);
    let h0 = p.hp_off + row * 3u * p.hid + j;
    hp[h0] = s.x;
    hp[h0 + p.hid] = s.y;
    hp[h0 + 2u * p.hid] = s.z;
    let g0 = p.g_off + row * 3u * p.hid + j;
    let r = sigmoid(gates[g0] + s.x);
    let z = sigmoid(gates[g0 + p.hid] + s.y);
    let n = tanh_c(fma(r, s.z, gates[g0 + 2u * p.hid]));
    gates[g0] = r;
    gates[g0 + p.hid] = z;
    gates[g0 + 2u * p.hid] = n;
    let hprev = h[p.h_off + idx];
    h[p.h_off + state + idx] = fma(z, hprev - n, n);
}
