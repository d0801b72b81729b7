// C[m×n] = op(A)·op(B) (+ bias over rows) (+ C): a 64×64 output tile per workgroup of 16×16
// threads, each thread accumulating a 4×4 block in registers, with 16-deep slices of op(A) and
// op(B) staged in workgroup memory (8 KiB). Out-of-range rows, columns and depths load as zero,
// so any shape works. flags: 1 = trans_a (A stored k×m), 2 = trans_b (B stored n×k),
// 4 = add bias, 8 = accumulate into C.
struct Params {
    m: u32, n: u32, k: u32, flags: u32,
    a_off: u32, b_off: u32, bias_off: u32, c_off: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;

// Indexed [depth * TILE + row] and [depth * TILE + col].
var<workgroup> a_tile: array<f32, 1024>;
var<workgroup> b_tile: array<f32, 1024>;

fn load_a(i: u32, d: u32) -> f32 {
    if (i >= p.m || d >= p.k) { return 0.0; }
    if ((p.flags & 1u) != 0u) { return a[p.a_off + d * p.m + i]; }
    return a[p.a_off + i * p.k + d];
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
    let tid = lid.y * 16u + lid.x;
    var acc: array<f32, 16>;
    for (var t = 0u; t < p.k; t += DEPTH) {
        for (var e = 0u; e < 4u; e++) {
            let idx = tid + e * 256u;
            let along = idx % TILE;
            let d = idx / TILE;
            a_tile[idx] = load_a(row0 + along, t + d);
            b_tile[idx] = load_b(t + d, col0 + along);
        }
        workgroupBarrier();
        for (var d = 0u; d < DEPTH; d++) {
            var av: array<f32, 4>;
            var bv: array<f32, 4>;
            for (var r = 0u; r < 4u; r++) {
                av[r] = a_tile[d * TILE + lid.y + r * 16u];
                bv[r] = b_tile[d * TILE + lid.x + r * 16u];
            }
            for (var r = 0u; r < 4u; r++) {
                for (var q = 0u; q < 4u; q++) {
                    acc[r * 4u + q] = fma(av[r], bv[q], acc[r * 4u + q]);
                }
            }
        }
        workgroupBarrier();
    }
    for (var r = 0u; r < 4u; r++) {
        let i = row0 + lid.y + r * 16u;
        for (var q = 0u; q < 4u; q++) {
            let j = col0 + lid.x + q * 16u;
            if (i < p.m && j < p.n) {
                var v = acc[r * 4u + q];
                if ((p.flags & 4u) != 0u) { v += bias[p.bias_off + j]; }
                let at = p.c_off + i * p.n + j;
                if ((p.flags & 8u) != 0u) { v += c[at]; }
                c[at] = v;
            }
        }
    }
}
