// C[m×n] = op(A)·op(B) (+ bias) (+ C), then optionally an activation, with no workgroup memory
// and no barriers (software adapters such as SwiftShader and lavapipe pay heavily for barriers):
// each thread accumulates a 1×4 block of C in registers, reading op(A)'s element once for four
// outputs. gemm.wgsl (tiled) takes the large products.
// flags: 1 = trans_a (A stored k×m), 2 = trans_b (B stored n×k), 4 = add bias (aux), 8 = accumulate
// into C, 16 = apply the activation `act` to the result, 32 = scale each element of A by f'(aux),
// the activation's derivative computed from its output, aux laid out like A (the fused backward
// of y = f(z): dz = dy ⊙ f'(y)), 64 = also write the row sums of op(A) (after scaling) to
// c[sum_off + i] (m extra threads; a dense layer's bias gradient).
// Activation codes as in act_forward.wgsl: 0 linear, 1 binary step, 2 sigmoid, 3 tanh, 4 ReLU,
// 5 leaky ReLU (slope s > 0).
struct Params {
    m: u32, n: u32, k: u32, flags: u32,
    a_off: u32, b_off: u32, aux_off: u32, c_off: u32,
    act: u32, s: f32, sum_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> aux: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

fn act_f(v: f32) -> f32 { return epilogue_f(p.act, p.s, v); }

fn act_d(y: f32) -> f32 { return epilogue_df(p.act, p.s, y); }

fn load_a(at: u32) -> f32 {
    let v = a[at];
    if ((p.flags & 32u) != 0u) { return v * act_d(aux[at - p.a_off + p.aux_off]); }
    return v;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    let nb = (p.n + 3u) / 4u;
    let blocks = p.m * nb;
    // Strides of op(A) along its row index i and depth d.
    var a_row = p.k;
    var a_step = 1u;
    if ((p.flags & 1u) != 0u) { a_row = 1u; a_step = p.m; }
    if (idx >= blocks) {
        let i = idx - blocks;
        if ((p.flags & 64u) == 0u || i >= p.m) { return; }
        var s = 0.0;
        for (var d = 0u; d < p.k; d++) { s += load_a(p.a_off + i * a_row + d * a_step); }
        c[p.sum_off + i] = s;
        return;
    }
    let i = idx / nb;
    let j0 = (idx % nb) * 4u;
    // Columns past n read column n−1 (in range) and are not stored.
    let j1 = min(j0 + 1u, p.n - 1u);
    let j2 = min(j0 + 2u, p.n - 1u);
    let j3 = min(j0 + 3u, p.n - 1u);
    var b_col = 1u;
    var b_step = p.n;
    if ((p.flags & 2u) != 0u) { b_col = p.k; b_step = 1u; }
    let a_base = p.a_off + i * a_row;
    let b0 = p.b_off + j0 * b_col;
    let b1 = p.b_off + j1 * b_col;
    let b2 = p.b_off + j2 * b_col;
    let b3 = p.b_off + j3 * b_col;
    var s = vec4<f32>(0.0);
    for (var d = 0u; d < p.k; d++) {
        let av = load_a(a_base + d * a_step);
        let o = d * b_step;
        s = fma(vec4<f32>(av), vec4<f32>(b[b0 + o], b[b1 + o], b[b2 + o], b[b3 + o]), s);
    }
    let row = p.c_off + i * p.n;
    for (var q = 0u; q < 4u; q++) {
        let j = j0 + q;
        if (j >= p.n) { break; }
        var x = s[q];
        if ((p.flags & 4u) != 0u) { x += aux[p.aux_off + j]; }
        if ((p.flags & 8u) != 0u) { x += c[row + j]; }
        if ((p.flags & 16u) != 0u) { x = act_f(x); }
        c[row + j] = x;
    }
}
