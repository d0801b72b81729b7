// What gemm.wgsl and gemm_vec4.wgsl share (prefixed to both, after common.wgsl): the parameters,
// the bias (or the activation's output, with flag 32) and C's bindings, and the epilogue that
// writes a thread's four results of one row. flags: 1 = trans_a (A stored k×m), 2 = trans_b
// (B stored n×k), 4 = add bias (aux), 8 = accumulate into C, 16 = apply the activation `act` to
// the result, 32 = scale each element of A by f'(aux) computed from the activation's output (aux
// laid out like A), as in gemm_small.wgsl (whose row-sum flag these kernels do not have).
// Each kernel binds A and B (bindings 1 and 2) itself, as floats or as vec4s.
struct Params {
    m: u32, n: u32, k: u32, flags: u32,
    a_off: u32, b_off: u32, bias_off: u32, c_off: u32,
    act: u32, s: f32, sum_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

// C[i, j0 + q·step] for q = 0..3 from v[q], with the epilogue the flags ask for; out-of-range
// rows and columns are skipped.
fn store(i: u32, j0: u32, step: u32, v: vec4<f32>) {
    if (i >= p.m) { return; }
    for (var q = 0u; q < 4u; q++) {
        let j = j0 + q * step;
        if (j < p.n) {
            var x = v[q];
            if ((p.flags & 4u) != 0u) { x += bias[p.bias_off + j]; }
            let at = p.c_off + i * p.n + j;
            if ((p.flags & 8u) != 0u) { x += c[at]; }
            if ((p.flags & 16u) != 0u) { x = epilogue_f(p.act, p.s, x); }
            c[at] = x;
        }
    }
}
