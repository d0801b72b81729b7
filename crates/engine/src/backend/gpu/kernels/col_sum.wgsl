// out[j] (+)= Σ_r x[r, j]: the bias gradient. One thread per column sums its column in row order:
// no atomics (WGSL has none for floats), no barriers (costly on software adapters), a fixed
// order (reproducible results), and neighbouring threads read neighbouring floats.
// With dact = 1 each x[r, j] is first scaled by f'(z) computed from the activation's output
// y[r, j] (the fused backward of y = f(z); codes and formulas as in gemm_small.wgsl).
struct Params { rows: u32, cols: u32, x_off: u32, out_off: u32, accumulate: u32, dact: u32, act: u32, s: f32, y_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn act_d(y: f32) -> f32 { return epilogue_df(p.act, p.s, y); }

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let col = (wg.y * nwg.x + wg.x) * 64u + li;
    if (col >= p.cols) { return; }
    var s = 0.0;
    let dact = p.dact != 0u;
    for (var r = 0u; r < p.rows; r++) {
        let at = r * p.cols + col;
        var v = x[p.x_off + at];
        if (dact) { v *= act_d(y[p.y_off + at]); }
        s += v;
    }
    if (p.accumulate != 0u) { s += out[p.out_off + col]; }
    out[p.out_off + col] = s;
}
