// dx[r, i] = y[r, i] · (dy[r, i] − Σ_j dy[r, j] · y[r, j]): softmax's vector-Jacobian product,
// one thread per row.
struct Params { rows: u32, cols: u32, y_off: u32, dy_off: u32, dx_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let r = (wg.y * nwg.x + wg.x) * 64u + li;
    if (r >= p.rows) { return; }
    let base = r * p.cols;
    var dot = 0.0;
    for (var c = 0u; c < p.cols; c++) { dot += dy[p.dy_off + base + c] * y[p.y_off + base + c]; }
    for (var c = 0u; c < p.cols; c++) {
        dx[p.dx_off + base + c] = y[p.y_off + base + c] * (dy[p.dy_off + base + c] - dot);
    }
}
