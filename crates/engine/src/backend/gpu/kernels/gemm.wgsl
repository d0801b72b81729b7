// C[m×n] = op(A)·op(B) (+ bias over rows) (+ C) on the tiles of tiled.wgsl (a 64×64 output
// tile per workgroup, a 4×4 register block per thread), with the flags and epilogue of
// gemm_common.wgsl. Out-of-range rows, columns and depths load as zero, so any shape works.
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;

fn scaled(at: u32) -> f32 {
    let v = a[at];
    if ((p.flags & 32u) != 0u) { return v * epilogue_df(p.act, p.s, bias[at - p.a_off + p.bias_off]); }
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

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wg.y * TILE;
    let col0 = wg.x * TILE;
    let acc = tiled_product(row0, col0, lid, p.k);
    let i = row0 + lid.y;
    let j = col0 + lid.x;
    // The block's columns are 16 apart.
    store(i, j, 16u, acc[0]);
    store(i + 16u, j, 16u, acc[1]);
    store(i + 32u, j, 16u, acc[2]);
    store(i + 48u, j, 16u, acc[3]);
}
