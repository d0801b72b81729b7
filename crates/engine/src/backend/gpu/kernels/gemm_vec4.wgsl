// gemm.wgsl's product with 16-byte loads, for hardware GPUs where both operands allow them: A and
// B are read as vec4s along the direction they are stored in (so their offsets and the sides
// they are stored along are multiples of four, which the host checks, and a vec4 never straddles
// a matrix's edge). Same parameters, flags and tiling as gemm.wgsl (a 64×64 tile of C per
// workgroup of 16×16 threads, 16-deep slices in workgroup memory, a 4×4 register block per
// thread), except that each thread's block covers four neighbouring columns, read from the B
// tile as one vec4. Each thread loads one vec4 of A and one of B per slice instead of four floats
// of each. The flags and epilogue are gemm_common.wgsl's.
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;

// a_tile[depth * TILE + row]; b_tile[depth * 16 + col / 4] holds columns col..col + 3.
var<workgroup> a_tile: array<f32, 1024>;
var<workgroup> b_tile: array<vec4<f32>, 256>;

// The vec4 of A that starts at float `at` (a multiple of four), scaled by f'(aux) with flag 32.
fn load_a4(at: u32) -> vec4<f32> {
    let v = a[at / 4u];
    if ((p.flags & 32u) == 0u) { return v; }
    let x = at - p.a_off + p.bias_off;
    return v * vec4<f32>(epilogue_df(p.act, p.s, bias[x]), epilogue_df(p.act, p.s, bias[x + 1u]),
                         epilogue_df(p.act, p.s, bias[x + 2u]), epilogue_df(p.act, p.s, bias[x + 3u]));
}

// Stages the 64×16 slice of op(A) and the 16×64 slice of op(B) at depth t: thread `tid` loads
// one vec4 of each, zero outside the matrices.
fn stage(row0: u32, col0: u32, t: u32, tid: u32) {
    if ((p.flags & 1u) == 0u) {
        // A is m×k: a row's depths are contiguous; four threads per row.
        let row = tid / 4u;
        let d = (tid % 4u) * 4u;
        var v = vec4<f32>(0.0);
        if (row0 + row < p.m && t + d < p.k) { v = load_a4(p.a_off + (row0 + row) * p.k + t + d); }
        for (var e = 0u; e < 4u; e++) { a_tile[(d + e) * TILE + row] = v[e]; }
    } else {
        // A is stored k×m: a depth's rows are contiguous; sixteen threads per depth.
        let d = tid / 16u;
        let row = (tid % 16u) * 4u;
        var v = vec4<f32>(0.0);
        if (t + d < p.k && row0 + row < p.m) { v = load_a4(p.a_off + (t + d) * p.m + row0 + row); }
        for (var e = 0u; e < 4u; e++) { a_tile[d * TILE + row + e] = v[e]; }
    }
    if ((p.flags & 2u) == 0u) {
        // B is k×n: a depth's columns are contiguous, exactly one b_tile entry.
        let d = tid / 16u;
        let col = (tid % 16u) * 4u;
        var v = vec4<f32>(0.0);
        if (t + d < p.k && col0 + col < p.n) { v = b[(p.b_off + (t + d) * p.n + col0 + col) / 4u]; }
        b_tile[d * 16u + col / 4u] = v;
    } else {
        // B is stored n×k: a column's depths are contiguous.
        let col = tid / 4u;
        let d = (tid % 4u) * 4u;
        var v = vec4<f32>(0.0);
        if (col0 + col < p.n && t + d < p.k) { v = b[(p.b_off + (col0 + col) * p.k + t + d) / 4u]; }
        for (var e = 0u; e < 4u; e++) { b_tile[(d + e) * 16u + col / 4u][col % 4u] = v[e]; }
    }
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row0 = wg.y * TILE;
    let col0 = wg.x * TILE;
    let tid = lid.y * 16u + lid.x;
    // Row row0 + lid.y + 16r of the block is acc[r]; its components are columns col0 + 4·lid.x + q.
    var acc = mat4x4<f32>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
    for (var t = 0u; t < p.k; t += DEPTH) {
        stage(row0, col0, t, tid);
        workgroupBarrier();
        for (var d = 0u; d < DEPTH; d++) {
            let at = d * TILE + lid.y;
            let bv = b_tile[d * 16u + lid.x];
            acc[0] = fma(vec4<f32>(a_tile[at]), bv, acc[0]);
            acc[1] = fma(vec4<f32>(a_tile[at + 16u]), bv, acc[1]);
            acc[2] = fma(vec4<f32>(a_tile[at + 32u]), bv, acc[2]);
            acc[3] = fma(vec4<f32>(a_tile[at + 48u]), bv, acc[3]);
        }
        workgroupBarrier();
    }
    let i = row0 + lid.y;
    let j = col0 + lid.x * 4u;
    // The block's columns are neighbours.
    store(i, j, 1u, acc[0]);
    store(i + 16u, j, 1u, acc[1]);
    store(i + 32u, j, 1u, acc[2]);
    store(i + 48u, j, 1u, acc[3]);
}
