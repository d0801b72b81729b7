// One plain RNN step with its hidden projection fused in (one thread per (row r, unit j), no
// barriers): the pre-activation gates[r, j] (x·W_ihᵀ + b_ih, from the input projection) +
// h_{t−1}[r, :]·W_hh[j, :] + b_hh[j], summed in the order gemm_small.wgsl uses (products, then the
// bias, then the accumulated value), is kept in gates for the backward pass, and h_t = tanh of it
// is written at h_off + N·H (h holds h_{t−1} at h_off). W_hh [H, H] and b_hh [H] are read from one
// buffer (the model's flat parameters).
struct Params { n: u32, hid: u32, g_off: u32, h_off: u32, w_off: u32, b_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> gates: array<f32>;
@group(0) @binding(2) var<storage, read_write> h: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    let state = p.n * p.hid;
    if (idx >= state) { return; }
    let r = idx / p.hid;
    let j = idx % p.hid;
    let hp = p.h_off + r * p.hid;
    let w0 = p.w_off + j * p.hid;
    var s = 0.0;
    for (var k = 0u; k < p.hid; k++) {
        s = fma(h[hp + k], w[w0 + k], s);
    }
    s += w[p.b_off + j];
    let g = p.g_off + idx;
    s += gates[g];
    gates[g] = s;
    h[p.h_off + state + idx] = tanh_c(s);
}
