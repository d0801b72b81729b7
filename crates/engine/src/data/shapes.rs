//! Generated images of four shapes (circle, square, triangle, cross) on a small grid, with
//! random size, position, jitter of the outline and pixel noise, for convolution.

use crate::rng::Rng;

/// Side of the square images.
pub const SIZE: usize = 12;
/// Class names, in label order.
pub const CLASSES: [&str; 4] = ["circle", "square", "triangle", "cross"];

/// One image (`SIZE × SIZE`, values in [0, 1]) of class `label` (0..4); `noise` in [0, 0.5].
pub fn draw(label: usize, noise: f64, rng: &mut Rng) -> Vec<f32> {
    let s = SIZE as f64;
    let r = rng.uniform(0.22, 0.4) * s;
    let cx = s / 2.0 + rng.uniform(-1.5, 1.5);
    let cy = s / 2.0 + rng.uniform(-1.5, 1.5);
    let thick = 0.9 + rng.uniform(0.0, 0.5);
    let mut img = vec![0f32; SIZE * SIZE];
    for y in 0..SIZE {
        for x in 0..SIZE {
            let (px, py) = (x as f64 + 0.5 - cx + rng.uniform(-0.3, 0.3), y as f64 + 0.5 - cy + rng.uniform(-0.3, 0.3));
            let d = match label {
                // Distance to the outline of each shape.
                0 => ((px * px + py * py).sqrt() - r).abs(),
                1 => (px.abs().max(py.abs()) - r).abs(),
                2 => {
                    // An upward triangle: base at +r·0.8, apex at −r.
                    let base = (py - 0.8 * r).abs();
                    let half = (py + r) / (1.8 * r) * r;
                    let side = (px.abs() - half).abs();
                    let inside_y = py >= -r && py <= 0.8 * r;
                    let on_base = if px.abs() <= r { base } else { f64::INFINITY };
                    if inside_y { side.min(on_base) } else { on_base.min((px * px + (py + r) * (py + r)).sqrt()) }
                }
                _ => {
                    let arm = px.abs().min(py.abs());
                    if px.abs().max(py.abs()) <= r { arm } else { f64::INFINITY }
                }
            };
            let ink = if d <= thick / 2.0 { 1.0 } else { (1.0 - (d - thick / 2.0)).max(0.0) };
            let v = ink + rng.normal(0.0, noise);
            img[y * SIZE + x] = v.clamp(0.0, 1.0) as f32;
        }
    }
    img
}
