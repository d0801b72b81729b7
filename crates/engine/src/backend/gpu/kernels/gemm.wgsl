// C[m×n] = op(A)·op(B) (+ bias over rows) (+ C) on the tiles of tiled.wgsl (a 64×64 output
// tile per workgroup, a 4×4 register block per thread). Out-of-range rows, columns and depths
// load as zero, so any shape works. flags: 1 = trans_a (A stored k×m), 2 = trans_b (B stored n×k),
// 4 = add bias (aux), 8 = accumulate into C, 16 = apply the activation `act` to the result,
// 32 = scale each element of A by f'(aux) computed from the activation's output (aux laid out
// like A), as in gemm_small.wgsl (whose row-sum flag this kernel does not have).
struct Params {
    m: u32, n: u32, k: u32, flags: u32,
    a_off: u32, b_off: u32, bias_off: u32, c_off: u32,
    act: u32, s: f32, sum_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

fn act_f(v: f32) -> f32 { return epilogue_f(p.act, p.s, v); }

fn act_d(y: f32) -> f32 { return epilogue_df(p.act, p.s, y); }

fn scaled(at: u32) -> f32 {
    let v = a[at];
    if ((p.flags & 32u) != 0u) { return v * act_d(bias[at - p.a_off + p.bias_off]); }
    return v;
}

fn load_a(i: u32, d: u32) -> f32 {
    if (i >= p.m || d >= p.k) { return 0.0; }
    if ((p.flags & 1u) != 0u) { return scaled(p.a_off + d * p.m + i); }
    return scaled(p.a_off + i * p.k + d);
}

fn load_b(d: u32, j: u32) -> f32 {
    if (d >= p.k || j >= p.n) { return 0.0; }
    if ((p.flags & 2u) != 0u) { return b[p.b_off + j * p.k + d]; }
    return b[p.b_off + d * p.n + j];
}

fn store(i: u32, j0: u32, v: vec4<f32>) {
    if (i >= p.m) { return; }
    for (var q = 0u; q < 4u; q++) {
        let j = j0 + q * 16u;
        if (j < p.n) {
            var x = v[q];
            if ((p.flags & 4u) != 0u) { x += bias[p.bias_off + j]; }
            let at = p.c_off + i * p.n + j;
            if ((p.flags & 8u) != 0u) { x += c[at]; }
            if ((p.flags & 16u) != 0u) { x = act_f(x); }
            c[at] = x;
        }
    }
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wg.y * TILE;
    let col0 = wg.x * TILE;
    let acc = tiled_product(row0, col0, lid, p.k);
    let i = row0 + lid.y;
    let j = col0 + lid.x;
    store(i, j, acc[0]);
    store(i + 16u, j, acc[1]);
    store(i + 32u, j, acc[2]);
    store(i + 48u, j, acc[3]);
}
