// Helpers every kernel in the table gets in front of its own source (kernels.rs concatenates
// them; WGSL has no includes). Unused ones cost nothing.

// The logistic function without overflow for large |v|.
fn sigmoid(v: f32) -> f32 {
    if (v >= 0.0) { return 1.0 / (1.0 + exp(-v)); }
    let e = exp(v);
    return e / (1.0 + e);
}

// tanh, clamped: tanh(±15) is ±1 in f32, and some drivers overflow on large arguments.
fn tanh_c(v: f32) -> f32 { return tanh(clamp(v, -15.0, 15.0)); }

// The activations a kernel can fold into its epilogue (codes as in act_forward.wgsl: 0 linear,
// 1 binary step, 2 sigmoid, 3 tanh, 4 ReLU, 5 leaky ReLU with slope s), applied to v...
fn epilogue_f(code: u32, s: f32, v: f32) -> f32 {
    switch code {
        case 1u: { return select(0.0, 1.0, v > 0.0); }
        case 2u: { return sigmoid(v); }
        case 3u: { return tanh_c(v); }
        case 4u: { return max(v, 0.0); }
        case 5u: { return select(s * v, v, v > 0.0); }
        default: { return v; }
    }
}

// ...and their derivative f'(z), from the output y = f(z) alone.
fn epilogue_df(code: u32, s: f32, y: f32) -> f32 {
    switch code {
        case 1u: { return 0.0; }
        case 2u: { return y * (1.0 - y); }
        case 3u: { return 1.0 - y * y; }
        case 4u: { return select(0.0, 1.0, y > 0.0); }
        case 5u: { return select(s, 1.0, y > 0.0); }
        default: { return 1.0; }
    }
}

