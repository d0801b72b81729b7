// m = momentum·m + g′, p −= lr·m, with g′ = g + weight_decay·p + l1·sign(p) (torch.optim.SGD with
// momentum, no dampening), over a flat parameter view.
struct Params { n: u32, p_off: u32, g_off: u32, m_off: u32, lr: f32, momentum: f32, wd: f32, l1: f32 }

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = (wg.y * nwg.x + wg.x) * 256u + li;
    if (i >= u.n) { return; }
    let w = param[u.p_off + i];
    let g = grad[u.g_off + i] + u.wd * w + u.l1 * sign(w);
    let v = u.momentum * m[u.m_off + i] + g;
    m[u.m_off + i] = v;
    param[u.p_off + i] = w - u.lr * v;
}
