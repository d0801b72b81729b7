// C[m×n] = op(A)·op(B) (+ bias) (+ C) for small products: one thread per output element reading
// A and B straight from memory, with no workgroup memory and no barriers. Software adapters
// (SwiftShader, lavapipe) pay heavily for barriers and for 256-thread tiles that small layers
// leave mostly idle; gemm.wgsl takes the larger products. Flags as in gemm.wgsl.
struct Params {
    m: u32, n: u32, k: u32, flags: u32,
    a_off: u32, b_off: u32, bias_off: u32, c_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let idx = (wg.y * nwg.x + wg.x) * 64u + li;
    if (idx >= p.m * p.n) { return; }
    let i = idx / p.n;
    let j = idx % p.n;
    // Strides of op(A) along its row index i and depth d, and of op(B) along d and j.
    var a_base = p.a_off + i * p.k;
    var a_step = 1u;
    if ((p.flags & 1u) != 0u) { a_base = p.a_off + i; a_step = p.m; }
    var b_base = p.b_off + j;
    var b_step = p.n;
    if ((p.flags & 2u) != 0u) { b_base = p.b_off + j * p.k; b_step = 1u; }
    var s = 0.0;
    for (var d = 0u; d < p.k; d++) {
        s = fma(a[a_base + d * a_step], b[b_base + d * b_step], s);
    }
    if ((p.flags & 4u) != 0u) { s += bias[p.bias_off + j]; }
    let at = p.c_off + idx;
    if ((p.flags & 8u) != 0u) { s += c[at]; }
    c[at] = s;
}
