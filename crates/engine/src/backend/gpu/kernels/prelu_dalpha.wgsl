// dalpha[j] = Σ_r (x[r, j] <= 0 ? x[r, j] · dy[r, j] : 0): PReLU's slope gradient. One thread per
// column sums its column in row order (no float atomics in WGSL, no barriers), as col_sum.wgsl.
struct Params { rows: u32, cols: u32, x_off: u32, dy_off: u32, da_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dalpha: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let col = (wg.y * nwg.x + wg.x) * 64u + li;
    if (col >= p.cols) { return; }
    var s = 0.0;
    for (var r = 0u; r < p.rows; r++) {
        let v = x[p.x_off + r * p.cols + col];
        if (v <= 0.0) { s += v * dy[p.dy_off + r * p.cols + col]; }
    }
    dalpha[p.da_off + col] = s;
}
