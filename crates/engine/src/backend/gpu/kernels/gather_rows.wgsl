// dst[r, :] = src[index[r], :] (indices stored as floats); an index outside src gives a zero row.
struct Params { n: u32, cols: u32, src_rows: u32, src_off: u32, index_off: u32, dst_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> index: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = (wg.y * nwg.x + wg.x) * 256u + li;
    if (i >= p.n) { return; }
    let r = i / p.cols;
    let c = i % p.cols;
    let f = round(index[p.index_off + r]);
    var v = 0.0;
    if (f >= 0.0 && f < f32(p.src_rows)) {
        v = src[p.src_off + u32(f) * p.cols + c];
    }
    dst[p.dst_off + i] = v;
}
