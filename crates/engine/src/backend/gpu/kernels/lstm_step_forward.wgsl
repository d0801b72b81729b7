// One LSTM step with its hidden projection fused in (one thread per (row r, unit j), no barriers):
// the four pre-activations of unit j are gates[r, q·H + j] (x·W_ihᵀ + b_ih, from the input
// projection) + h_{t−1}[r, :]·W_hh[q·H + j, :] + b_hh[q·H + j], summed in the order gemm_small.wgsl
// uses (products, then the bias, then the accumulated value); then the cell of
// lstm_cell_forward.wgsl. h holds h_{t−1} at h_off and receives h_t at h_off + N·H; W_hh [4H, H]
// and b_hh [4H] are read from one buffer (the model's flat parameters).
struct Params { n: u32, hid: u32, g_off: u32, c_off: u32, h_off: u32, w_off: u32, b_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> gates: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read> w: array<f32>;

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
    let wq = p.hid * p.hid;
    var s = vec4<f32>(0.0);
    for (var k = 0u; k < p.hid; k++) {
        let at = w0 + k;
        s = fma(vec4<f32>(h[hp + k]), vec4<f32>(w[at], w[at + wq], w[at + 2u * wq], w[at + 3u * wq]), s);
    }
    let b0 = p.b_off + j;
    s += vec4<f32>(w[b0], w[b0 + p.hid], w[b0 + 2u * p.hid], w[b0 + 3u * p.hid]);
    let g0 = p.g_off + r * 4u * p.hid + j;
    s += vec4<f32>(gates[g0], gates[g0 + p.hid], gates[g0 + 2u * p.hid], gates[g0 + 3u * p.hid]);
    let i = sigmoid(s.x);
    let f = sigmoid(s.y);
    let g = tanh_c(s.z);
    let o = sigmoid(s.w);
    let ct = fma(f, c[p.c_off + idx], i * g);
    gates[g0] = i;
    gates[g0 + p.hid] = f;
    gates[g0 + 2u * p.hid] = g;
    gates[g0 + 3u * p.hid] = o;
    c[p.c_off + state + idx] = ct;
    h[p.h_off + state + idx] = o * tanh_c(ct);
}
