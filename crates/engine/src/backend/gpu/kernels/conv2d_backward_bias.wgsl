// db[o] = Σ_{n, oy, ox} dy[n, o, oy, ox]: one thread per output channel sums its N planes in a
// fixed order (no atomics).
struct Params { n: u32, o: u32, plane: u32, dy_off: u32, db_off: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> db: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let o = (wg.y * nwg.x + wg.x) * 64u + li;
    if (o >= p.o) { return; }
    var s = 0.0;
    for (var n = 0u; n < p.n; n++) {
        let d0 = p.dy_off + (n * p.o + o) * p.plane;
        for (var i = 0u; i < p.plane; i++) { s += dy[d0 + i]; }
    }
    db[p.db_off + o] = s;
}
