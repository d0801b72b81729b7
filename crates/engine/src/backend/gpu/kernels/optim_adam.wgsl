// Adam with bias correction (torch.optim.Adam), over a flat parameter view:
// m = β1·m + (1−β1)·g′, v = β2·v + (1−β2)·g′², p −= (lr / (1−β1^t)) · m / (sqrt(v) / sqrt(1−β2^t) + eps),
// with g′ = g + weight_decay·p + l1·sign(p). The host computes step = lr / (1−β1^t) and
// inv_sqrt_bc2 = 1 / sqrt(1−β2^t) in f64 for this op's own t.
struct Params {
    n: u32, p_off: u32, g_off: u32, m_off: u32,
    v_off: u32, step: f32, beta1: f32, beta2: f32,
    eps: f32, wd: f32, l1: f32, inv_sqrt_bc2: f32,
}

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let i = (wg.y * nwg.x + wg.x) * 256u + li;
    if (i >= u.n) { return; }
    let w = param[u.p_off + i];
    let g = grad[u.g_off + i] + u.wd * w + u.l1 * sign(w);
    let m1 = u.beta1 * m[u.m_off + i] + (1.0 - u.beta1) * g;
    let v1 = u.beta2 * v[u.v_off + i] + (1.0 - u.beta2) * g * g;
    m[u.m_off + i] = m1;
    v[u.v_off + i] = v1;
    param[u.p_off + i] = w - u.step * m1 / (sqrt(v1) * u.inv_sqrt_bc2 + u.eps);
}
