// The workgroup-tiled product shared by gemm.wgsl and conv2d_forward_tiled.wgsl (prefixed to
// both, after common.wgsl): a 64×64 tile of C = A·B per workgroup of 16×16 threads, 16-deep
// slices of A and B staged in workgroup memory (8 KiB), each thread accumulating a 4×4 block in
// registers. The kernel that includes it defines load_a(row, depth) and load_b(depth, col),
// which return 0 outside the matrices, so any shape works.

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;

// Indexed [depth * TILE + row] and [depth * TILE + col].
var<workgroup> a_tile: array<f32, 1024>;
var<workgroup> b_tile: array<f32, 1024>;

// This thread's 4×4 block: column r holds rows row0 + lid.y + 16r; its components the columns
// col0 + lid.x + 16q.
fn tiled_product(row0: u32, col0: u32, lid: vec3<u32>, depth: u32) -> mat4x4<f32> {
    let tid = lid.y * 16u + lid.x;
    var acc = mat4x4<f32>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
    for (var t = 0u; t < depth; t += DEPTH) {
        for (var e = 0u; e < 4u; e++) {
            let idx = tid + e * 256u;
            let along = idx % TILE;
            let d = idx / TILE;
            a_tile[idx] = load_a(row0 + along, t + d);
            b_tile[idx] = load_b(t + d, col0 + along);
        }
        workgroupBarrier();
        for (var d = 0u; d < DEPTH; d++) {
            let at = d * TILE + lid.y;
            let bt = d * TILE + lid.x;
            let bv = vec4<f32>(b_tile[bt], b_tile[bt + 16u], b_tile[bt + 32u], b_tile[bt + 48u]);
            acc[0] = fma(vec4<f32>(a_tile[at]), bv, acc[0]);
            acc[1] = fma(vec4<f32>(a_tile[at + 16u]), bv, acc[1]);
            acc[2] = fma(vec4<f32>(a_tile[at + 32u]), bv, acc[2]);
            acc[3] = fma(vec4<f32>(a_tile[at + 48u]), bv, acc[3]);
        }
        workgroupBarrier();
    }
    return acc;
}
