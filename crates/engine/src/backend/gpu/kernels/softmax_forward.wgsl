// y[r, :] = softmax(x[r, :]), one thread per row, shifted by the row maximum for stability.
struct Params { rows: u32, cols: u32, x_off: u32, y_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let r = (wg.y * nwg.x + wg.x) * 64u + li;
    if (r >= p.rows) { return; }
    let xb = p.x_off + r * p.cols;
    let yb = p.y_off + r * p.cols;
    var m = x[xb];
    for (var c = 1u; c < p.cols; c++) { m = max(m, x[xb + c]); }
    var sum = 0.0;
    for (var c = 0u; c < p.cols; c++) {
        let e = exp(x[xb + c] - m);
        y[yb + c] = e;
        sum += e;
    }
    let inv = 1.0 / sum;
    for (var c = 0u; c < p.cols; c++) { y[yb + c] *= inv; }
}
