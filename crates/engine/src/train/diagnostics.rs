//! Live diagnostics per layer: what the page shows next to the network to explain a run that
//! stalls. [`Trainer::diagnostics`] runs the network forward and backward on a fixed probe batch
//! (the first [`PROBE_ROWS`] training rows) and reports, per built layer (hidden layers, then the
//! output layer):
//!
//! - the norm of the weight gradient and its ratio to the weight norm (vanishing or exploding
//!   gradients);
//! - for ReLU, the share of dead units (output 0 on every probe row, so their gradient is 0 and
//!   they never recover);
//! - for sigmoid and tanh (and the plain RNN's tanh state), the share of saturated units;
//! - PReLU's learned slopes;
//! - for Maxout, how often each piece wins;
//!
//! and [`Warning`]s in English and Korean when one of them explains a stalled run.
//!
//! The probe gradient overwrites the gradient buffer (what [`Trainer::gradients`] returns) but
//! nothing else that training uses: the next step overwrites every gradient before the optimizer
//! reads it, so calling this between steps leaves the run exactly as it would have been.

use super::Trainer;
use crate::activation::Activation;
use crate::backend::{Backend, LossOp, View};
use crate::error::Result;
use crate::layers::CellKind;
use crate::model::{Layer, LayerParams};

/// Rows in the probe batch (fewer when the training set or the scratch buffers are smaller).
pub const PROBE_ROWS: usize = 256;
/// A tanh output is saturated when `|y| > 0.97` (its slope `1 − y²` is then below 0.06, 6 % of its
/// peak).
pub const TANH_SATURATED: f32 = 0.97;
/// A sigmoid output is saturated outside `[0.03, 0.97]` (its slope `y(1 − y)` is then below
/// 0.03, 12 % of its peak of 0.25).
pub const SIGMOID_SATURATED: f32 = 0.03;
/// A unit counts as saturated when it is saturated on at least this share of probe rows (and, for
/// convolution and RNN layers, positions or steps).
pub const SATURATED_ROWS: f32 = 0.9;
/// Dead-ReLU and saturation warnings fire when at least this share of a layer's units is affected.
pub const MOSTLY: f32 = 0.5;
/// Vanishing gradients: the first layer's RMS weight gradient is below this fraction of the
/// output layer's.
pub const VANISHING_RATIO: f32 = 1e-3;
/// Exploding gradients: a layer's weight-gradient norm above this, or the first layer's RMS
/// gradient above `1 / VANISHING_RATIO` times the output layer's.
pub const EXPLODING_NORM: f32 = 1e3;

/// Everything [`Trainer::diagnostics`] measured.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostics {
    /// When it was measured.
    pub epoch: u32,
    pub step: u64,
    /// Rows in the probe batch.
    pub probe_rows: usize,
    /// The loss on the probe batch.
    pub probe_loss: f32,
    /// One entry per built layer, input side first, the output layer last (flatten layers, which
    /// build nothing, are left out; pooling layers are included, with no weights).
    pub layers: Vec<LayerDiagnostics>,
    /// First layer's RMS weight gradient over the output layer's (`None` with fewer than two
    /// layers with weights, or when the output layer's gradient is 0).
    pub gradient_ratio: Option<f32>,
    /// Explanations of what may stall the run, most serious first.
    pub warnings: Vec<Warning>,
}

/// One layer's figures.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LayerDiagnostics {
    /// Index in [`Diagnostics::layers`].
    pub index: usize,
    /// Index in [`crate::spec::ModelSpec::layers`]; `None` for the output layer.
    pub spec_index: Option<usize>,
    /// `dense`, `conv2d`, `max_pool2d`, `avg_pool2d`, `rnn`, `lstm` or `gru`.
    #[serde(deserialize_with = "crate::spec::layer_kind")]
    pub kind: crate::spec::LayerKind,
    /// The activation of a dense or conv2d layer (the output layer's is what it computes:
    /// `Linear` for logits); `Tanh` for a plain RNN; `None` for pools, LSTM and GRU.
    #[serde(with = "crate::activation::as_json")]
    pub activation: Option<Activation>,
    /// Dense units, conv2d filters, recurrent hidden size, pooled channels.
    pub units: usize,
    /// Number of weights (recurrent: `weight_ih` and `weight_hh`; biases not counted).
    pub weight_count: usize,
    /// L2 norm of the weight gradient on the probe batch (`None` for pools).
    pub grad_norm: Option<f32>,
    /// L2 norm of the weights.
    pub weight_norm: Option<f32>,
    /// `grad_norm / weight_norm`: roughly how fast the weights move relative to their size per
    /// unit of learning rate.
    pub grad_to_weight: Option<f32>,
    /// `grad_norm / √weight_count`: comparable between layers of different sizes.
    pub grad_rms: Option<f32>,
    /// ReLU-family layers (ReLU, Leaky ReLU, PReLU, ELU, Swish): per unit (conv2d: per filter),
    /// whether it is dead: its output is 0 on every probe row *and* its slope there is 0, so no
    /// gradient can ever bring it back. Only ReLU (or a variant whose negative slope is 0) can die:
    /// for the others this is all `false`, which is the point of them.
    pub dead: Option<Vec<bool>>,
    /// Share of dead units, in [0, 1].
    pub dead_share: Option<f32>,
    /// ReLU-family layers: share of units whose output is ≤ 0 on every probe row (for Swish: whose
    /// input is). Dead for ReLU; for Leaky ReLU, PReLU, ELU and Swish these units still pass a
    /// small gradient and can come back.
    pub inactive_share: Option<f32>,
    /// Sigmoid and tanh layers (and the plain RNN's state): per unit, whether it is saturated
    /// (see [`TANH_SATURATED`], [`SIGMOID_SATURATED`], [`SATURATED_ROWS`]).
    pub saturated: Option<Vec<bool>>,
    /// Share of saturated units, in [0, 1].
    pub saturated_share: Option<f32>,
    /// PReLU's learned negative slopes, one per unit (they start at 0.25).
    pub prelu_alpha: Option<Vec<f32>>,
    /// Maxout layers: how often each piece wins.
    pub maxout: Option<MaxoutWins>,
}

/// How often each Maxout piece is the largest, over the probe rows.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MaxoutWins {
    pub pieces: usize,
    /// `units × pieces`, row-major: the share of probe rows on which piece `i` of unit `j` wins
    /// (each unit's row sums to 1; ties go to the first piece, as in the forward pass).
    pub per_unit: Vec<f32>,
    /// The share of all (row, unit) pairs won by each piece.
    pub overall: Vec<f32>,
}

/// What a warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum WarningKind {
    /// Weights, gradients or the loss are NaN or infinite, or gradients are huge.
    Exploding,
    /// A binary-step layer passes back exactly zero gradient, so the layers up to it never learn.
    BinaryStep,
    /// Layers get exactly zero gradient for another reason.
    ZeroGradient,
    /// The first layer's gradient is a tiny fraction of the output layer's.
    Vanishing,
    /// Most units of a ReLU layer are dead.
    DeadRelu,
    /// Most units of a sigmoid or tanh layer are saturated.
    Saturated,
    /// Every hidden layer is linear: the network is one linear map.
    AllLinear,
}

/// How serious a warning is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    /// Worth knowing; training may still go well.
    Info,
    /// Likely to slow or stall learning.
    Warning,
    /// Training cannot work this way.
    Problem,
}

/// A warning in words, in both languages of the page.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub severity: Severity,
    /// The affected entries of [`Diagnostics::layers`].
    pub layers: Vec<usize>,
    pub en: String,
    pub ko: String,
}

fn norm(v: &[f32]) -> f32 {
    (v.iter().map(|&x| x as f64 * x as f64).sum::<f64>()).sqrt() as f32
}

fn all_finite(v: &[f32]) -> bool {
    v.iter().all(|x| x.is_finite())
}

/// The weights of a layer (recurrent: both matrices) as one list of slices.
fn weights(p: &LayerParams) -> [&[f32]; 2] {
    [&p.weight, &p.weight_hh]
}

fn norm2(parts: [&[f32]; 2]) -> f32 {
    let a = norm(parts[0]) as f64;
    let b = norm(parts[1]) as f64;
    (a * a + b * b).sqrt() as f32
}

/// Whether output `y` of `act` is saturated.
fn saturated_value(act: Activation, y: f32) -> bool {
    match act {
        Activation::Sigmoid => !(SIGMOID_SATURATED..=1.0 - SIGMOID_SATURATED).contains(&y),
        _ => y.abs() > TANH_SATURATED,
    }
}

/// Per unit, `test(values(unit))`, and the share of units for which it holds.
fn per_unit<I: Iterator<Item = f32>>(units: usize, values: impl Fn(usize) -> I, test: impl Fn(usize, I) -> bool) -> (Vec<bool>, f32) {
    let flags: Vec<bool> = (0..units).map(|j| test(j, values(j))).collect();
    let share = if units == 0 { 0.0 } else { flags.iter().filter(|&&d| d).count() as f32 / units as f32 };
    (flags, share)
}

/// The activations whose dead or inactive units are reported.
fn relu_family(act: Activation) -> bool {
    matches!(act, Activation::Relu | Activation::LeakyRelu { .. } | Activation::Prelu | Activation::Elu { .. } | Activation::Swish { .. })
}

/// Whether a unit (its outputs in `it`, its PReLU slope in `alpha`) is dead: every output is 0
/// and the activation's slope for negative inputs is 0 (ReLU; Leaky ReLU or ELU with alpha 0; a
/// PReLU unit whose learned slope is 0).
fn zero_slope(act: Activation, prelu_alpha: Option<f32>, mut it: impl Iterator<Item = f32>) -> bool {
    let flat = match act {
        Activation::Relu => true,
        Activation::LeakyRelu { alpha } | Activation::Elu { alpha } => alpha == 0.0,
        Activation::Prelu => prelu_alpha == Some(0.0),
        _ => false,
    };
    flat && it.all(|y| y == 0.0)
}

fn non_positive(mut it: impl Iterator<Item = f32>) -> bool {
    it.all(|y| y <= 0.0)
}

/// Whether `act`'s outputs are saturated on at least [`SATURATED_ROWS`] of them.
fn mostly_saturated(act: Activation, it: impl Iterator<Item = f32>) -> bool {
    let (mut n, mut s) = (0usize, 0usize);
    for y in it {
        n += 1;
        s += saturated_value(act, y) as usize;
    }
    n > 0 && s as f32 >= SATURATED_ROWS * n as f32
}

/// The layer's name in both languages: hidden layers numbered from 1 as the page shows them.
fn name(l: &LayerDiagnostics) -> (String, String) {
    match l.spec_index {
        Some(i) => (format!("layer {} ({})", i + 1, l.kind), format!("{}번 층({})", i + 1, l.kind)),
        None => ("the output layer".into(), "출력층".into()),
    }
}

fn names(layers: &[LayerDiagnostics], which: &[usize]) -> (String, String) {
    let (en, ko): (Vec<String>, Vec<String>) = which.iter().map(|&i| name(&layers[i])).unzip();
    (en.join(", "), ko.join(", "))
}

fn pct(x: f32) -> String {
    format!("{:.0}%", x * 100.0)
}

impl<B: Backend> Trainer<B> {
    /// Measures every layer on the probe batch (the first [`PROBE_ROWS`] training rows, the same
    /// rows every time) and explains what may stall the run; see the module
    /// documentation]. Works for every data kind and before the first step.
    pub async fn diagnostics(&mut self) -> Result<Diagnostics> {
        let k = PROBE_ROWS.min(self.train.n).min(self.model.capacity).max(1);
        let f = self.model.input_width;
        let tw = self.target_width;
        let x = View { buf: self.train.x.clone(), offset: 0, len: k * f };
        let y = View { buf: self.train.y.clone(), offset: 0, len: k * tw };
        let loss = View::whole(self.step_loss.clone(), 1);
        {
            let b = &mut self.backend;
            let pred = self.model.forward(b, k, &x)?;
            let op = LossOp { kind: self.spec.loss, rows: k, cols: self.output.units };
            b.loss(op, &pred, &y, &self.model.output_grad(k), &loss)?;
            self.model.backward(b, k, &x)?;
        }
        let params = self.model.split_params(&self.backend.read(&self.model.params).await?);
        let grads = self.model.split_params(&self.backend.read(&self.model.grads).await?);
        let probe_loss = self.backend.read(&loss).await?.first().copied().unwrap_or(f32::NAN);
        let mut outputs = Vec::with_capacity(self.model.layers.len());
        for l in &self.model.layers {
            outputs.push(self.backend.read(&l.output(k)).await?);
        }

        let mut layers = Vec::with_capacity(self.model.layers.len());
        for (i, ml) in self.model.layers.iter().enumerate() {
            let (p, g) = (&params[i], &grads[i]);
            let out = &outputs[i];
            let mut d = LayerDiagnostics {
                index: i,
                spec_index: ml.plan.spec_index,
                kind: p.kind,
                activation: None,
                units: p.units,
                weight_count: p.weight.len() + p.weight_hh.len(),
                grad_norm: None,
                weight_norm: None,
                grad_to_weight: None,
                grad_rms: None,
                dead: None,
                dead_share: None,
                inactive_share: None,
                saturated: None,
                saturated_share: None,
                prelu_alpha: None,
                maxout: None,
            };
            if d.weight_count > 0 {
                let (gn, wn) = (norm2(weights(g)), norm2(weights(p)));
                d.grad_norm = Some(gn);
                d.weight_norm = Some(wn);
                d.grad_to_weight = Some(if wn > 0.0 { gn / wn } else { f32::INFINITY });
                d.grad_rms = Some(gn / (d.weight_count as f32).sqrt());
            }
            match &ml.layer {
                Layer::Dense(l) => {
                    let (u, act) = (l.units, l.act);
                    d.activation = Some(act);
                    let col = move |j: usize| out.iter().skip(j).step_by(u).copied();
                    if relu_family(act) {
                        let alpha = p.prelu_alpha.as_deref();
                        let (flags, share) = per_unit(u, col, |j, it| zero_slope(act, alpha.and_then(|a| a.get(j).copied()), it));
                        d.dead = Some(flags);
                        d.dead_share = Some(share);
                        d.inactive_share = Some(per_unit(u, col, |_, it| non_positive(it)).1);
                    }
                    if matches!(act, Activation::Sigmoid | Activation::Tanh) {
                        let (flags, share) = per_unit(u, col, |_, it| mostly_saturated(act, it));
                        d.saturated = Some(flags);
                        d.saturated_share = Some(share);
                    }
                    d.prelu_alpha = p.prelu_alpha.clone();
                    if let Activation::Maxout { pieces } = act {
                        let input: Vec<f32> = if i == 0 { self.backend.read(&x).await? } else { outputs[i - 1].clone() };
                        d.maxout = Some(maxout_wins(&input, k, l.fan_in, u, pieces as usize, p));
                    }
                }
                Layer::Conv(l) => {
                    let act = l.act;
                    d.activation = Some(act);
                    let c = l.op.out_channels;
                    let hw = if k > 0 && c > 0 { out.len() / (k * c) } else { 0 };
                    // NCHW: channel j of row r is out[(r·C + j)·HW ..][..HW].
                    let chan = move |j: usize| (0..k).flat_map(move |r| out[(r * c + j) * hw..(r * c + j + 1) * hw].iter().copied());
                    if relu_family(act) {
                        let (flags, share) = per_unit(c, chan, |_, it| zero_slope(act, None, it));
                        d.dead = Some(flags);
                        d.dead_share = Some(share);
                        d.inactive_share = Some(per_unit(c, chan, |_, it| non_positive(it)).1);
                    }
                    if matches!(act, Activation::Sigmoid | Activation::Tanh) {
                        let (flags, share) = per_unit(c, chan, |_, it| mostly_saturated(act, it));
                        d.saturated = Some(flags);
                        d.saturated_share = Some(share);
                    }
                }
                Layer::Pool(_) => {
                    if let crate::plan::Shape::Image { channels, .. } = ml.plan.output {
                        d.units = channels;
                    }
                }
                Layer::Recurrent(r) if r.kind == CellKind::Rnn => {
                    d.activation = Some(Activation::Tanh);
                    // Every step's state h_1 … h_T, time-major: [T, k, H].
                    let all = View { buf: r.h_state(k, 1).buf, offset: k * r.hidden, len: r.steps * k * r.hidden };
                    let hs = self.backend.read(&all).await?;
                    let h = r.hidden;
                    let (flags, share) = per_unit(h, |j| hs.iter().skip(j).step_by(h).copied(), |_, it| mostly_saturated(Activation::Tanh, it));
                    d.saturated = Some(flags);
                    d.saturated_share = Some(share);
                }
                Layer::Recurrent(_) => {}
            }
            layers.push(d);
        }

        let finite = probe_loss.is_finite() && params.iter().chain(&grads).all(|p| weights(p).iter().all(|w| all_finite(w)));
        let (warnings, gradient_ratio) = warnings(&layers, finite);
        Ok(Diagnostics { epoch: self.epoch, step: self.step, probe_rows: k, probe_loss, layers, gradient_ratio, warnings })
    }
}

/// Maxout's winners from the layer's input `x` (`k × fan_in`) and parameters, on the host.
fn maxout_wins(x: &[f32], k: usize, fan_in: usize, units: usize, pieces: usize, p: &LayerParams) -> MaxoutWins {
    let mut counts = vec![0usize; units * pieces];
    let mut z = vec![0.0f32; pieces];
    for r in 0..k.min(x.len() / fan_in.max(1)) {
        let xr = &x[r * fan_in..(r + 1) * fan_in];
        for j in 0..units {
            for (i, zi) in z.iter_mut().enumerate() {
                let q = j * pieces + i;
                let w = &p.weight[q * fan_in..(q + 1) * fan_in];
                *zi = p.bias[q] + w.iter().zip(xr).map(|(a, b)| a * b).sum::<f32>();
            }
            // The first largest piece, as the forward pass picks it.
            let mut best = 0;
            for i in 1..pieces {
                if z[i] > z[best] {
                    best = i;
                }
            }
            counts[j * pieces + best] += 1;
        }
    }
    let rows = k.max(1) as f32;
    let per_unit: Vec<f32> = counts.iter().map(|&c| c as f32 / rows).collect();
    let overall = (0..pieces)
        .map(|i| (0..units).map(|j| counts[j * pieces + i]).sum::<usize>() as f32 / (rows * units.max(1) as f32))
        .collect();
    MaxoutWins { pieces, per_unit, overall }
}

/// The warnings for these layer figures, most serious first, and the first-to-output gradient
/// ratio.
fn warnings(layers: &[LayerDiagnostics], finite: bool) -> (Vec<Warning>, Option<f32>) {
    let mut out = Vec::new();
    let weighted: Vec<&LayerDiagnostics> = layers.iter().filter(|l| l.grad_norm.is_some()).collect();
    let ratio = match (weighted.first(), weighted.last()) {
        (Some(a), Some(b)) if weighted.len() >= 2 => match (a.grad_rms, b.grad_rms) {
            (Some(ga), Some(gb)) if gb > 0.0 && gb.is_finite() && ga.is_finite() => Some(ga / gb),
            _ => None,
        },
        _ => None,
    };

    // Exploding: not numbers any more, or huge.
    let huge: Vec<usize> = weighted.iter().filter(|l| l.grad_norm.is_some_and(|g| !g.is_finite() || g > EXPLODING_NORM)).map(|l| l.index).collect();
    if !finite {
        out.push(Warning {
            kind: WarningKind::Exploding,
            severity: Severity::Problem,
            layers: huge,
            en: "Training has diverged: the loss, some weights or some gradients are no longer numbers (NaN or infinity). \
                 The steps were too large. Lower the learning rate (try ten times smaller) and press Reset."
                .into(),
            ko: "학습이 발산했습니다: 손실이나 일부 가중치·기울기가 더 이상 숫자가 아닙니다(NaN 또는 무한대). \
                 한 번에 너무 크게 움직였습니다. 학습률을 낮추고(10배 작게) 초기화를 누르세요."
                .into(),
        });
    } else if !huge.is_empty() || ratio.is_some_and(|r| r > 1.0 / VANISHING_RATIO) {
        let which = if huge.is_empty() { weighted.first().map(|l| vec![l.index]).unwrap_or_default() } else { huge };
        let (en, ko) = names(layers, &which);
        out.push(Warning {
            kind: WarningKind::Exploding,
            severity: Severity::Problem,
            layers: which,
            en: format!(
                "Exploding gradients in {en}: the gradient is huge, so each step throws the weights far away and the loss jumps \
                 instead of falling. Lower the learning rate, or add L2 regularisation."
            ),
            ko: format!(
                "{ko}에서 기울기 폭주: 기울기가 너무 커서 한 번의 갱신이 가중치를 멀리 날려 보내고, 손실이 줄지 않고 요동칩니다. \
                 학습률을 낮추거나 L2 정규화를 더하세요."
            ),
        });
    }
    if !finite {
        return (out, ratio);
    }

    // Exactly zero gradient: binary step (its slope is 0 everywhere) or a layer cut off by one.
    let zero: Vec<usize> = weighted.iter().filter(|l| l.grad_norm == Some(0.0)).map(|l| l.index).collect();
    if !zero.is_empty() {
        let step_layers: Vec<usize> = layers.iter().filter(|l| l.activation == Some(Activation::BinaryStep)).map(|l| l.index).collect();
        let (en, ko) = names(layers, &zero);
        if !step_layers.is_empty() {
            out.push(Warning {
                kind: WarningKind::BinaryStep,
                severity: Severity::Problem,
                layers: zero,
                en: format!(
                    "No gradient reaches {en}: the binary step's slope is 0 everywhere (and undefined at 0), so backpropagation \
                     passes back exactly zero and these weights never change. Use a smooth activation such as tanh or ReLU."
                ),
                ko: format!(
                    "{ko}에 기울기가 전혀 도달하지 않습니다: 이진 계단 함수는 기울기가 어디서나 0이고 0에서는 미분할 수 없어서, \
                     역전파가 정확히 0을 전달하고 이 가중치들은 절대 바뀌지 않습니다. tanh나 ReLU 같은 매끄러운 활성화 함수를 쓰세요."
                ),
            });
        } else {
            out.push(Warning {
                kind: WarningKind::ZeroGradient,
                severity: Severity::Problem,
                layers: zero,
                en: format!("{en} get exactly zero gradient on the probe rows, so their weights do not change."),
                ko: format!("{ko}의 기울기가 정확히 0이라서 가중치가 바뀌지 않습니다."),
            });
        }
    }

    // Vanishing: the first layer's gradient is a tiny fraction of the output layer's.
    if let (Some(r), Some(first)) = (ratio, weighted.first())
        && r < VANISHING_RATIO
        && first.grad_norm != Some(0.0)
    {
        let (en, ko) = name(first);
        let squashing = layers.iter().any(|l| l.spec_index.is_some() && matches!(l.activation, Some(Activation::Sigmoid | Activation::Tanh)));
        let (why_en, why_ko) = if squashing {
            (
                " Each sigmoid or tanh layer multiplies the gradient by its slope (at most 0.25 for sigmoid), so it shrinks layer by layer. \
                 Try ReLU (or Swish in a very deep network).",
                " 시그모이드나 tanh 층을 지날 때마다 기울기에 그 기울기(시그모이드는 최대 0.25)가 곱해져 층마다 작아집니다. \
                 ReLU(매우 깊은 망이라면 Swish)를 써 보세요.",
            )
        } else {
            (" Try fewer layers, ReLU-family activations or He initialisation.", " 층을 줄이거나 ReLU 계열 활성화나 He 초기화를 써 보세요.")
        };
        out.push(Warning {
            kind: WarningKind::Vanishing,
            severity: Severity::Warning,
            layers: vec![first.index],
            en: format!(
                "Vanishing gradients: the gradient reaching {en} is {r:.0e} times the output layer's, so the first layers barely learn.{why_en}"
            ),
            ko: format!("기울기 소실: {ko}에 도달하는 기울기가 출력층의 {r:.0e}배에 불과해 앞쪽 층이 거의 학습하지 못합니다.{why_ko}"),
        });
    }

    // Dead ReLU units.
    let dead: Vec<&LayerDiagnostics> = layers.iter().filter(|l| l.dead_share.is_some_and(|s| s >= MOSTLY)).collect();
    if !dead.is_empty() {
        let which: Vec<usize> = dead.iter().map(|l| l.index).collect();
        let worst = dead.iter().filter_map(|l| l.dead_share).fold(0.0f32, f32::max);
        let (en, ko) = names(layers, &which);
        out.push(Warning {
            kind: WarningKind::DeadRelu,
            severity: Severity::Warning,
            layers: which,
            en: format!(
                "Dying ReLU in {en}: up to {} of the units output 0 for every input. Their gradient is 0 too, so they never come \
                 back. Lower the learning rate, or switch to Leaky ReLU or PReLU, which keep a small slope for negative inputs.",
                pct(worst)
            ),
            ko: format!(
                "{ko}에서 죽은 ReLU: 뉴런의 최대 {}가 모든 입력에 0을 냅니다. 기울기도 0이라 다시 살아나지 못합니다. \
                 학습률을 낮추거나, 음수 입력에도 작은 기울기를 남기는 Leaky ReLU나 PReLU로 바꾸세요.",
                pct(worst)
            ),
        });
    }

    // Saturated sigmoid/tanh units (hidden layers: a saturated output layer is a confident one).
    let sat: Vec<&LayerDiagnostics> =
        layers.iter().filter(|l| l.spec_index.is_some() && l.saturated_share.is_some_and(|s| s >= MOSTLY)).collect();
    if !sat.is_empty() {
        let which: Vec<usize> = sat.iter().map(|l| l.index).collect();
        let worst = sat.iter().filter_map(|l| l.saturated_share).fold(0.0f32, f32::max);
        let (en, ko) = names(layers, &which);
        out.push(Warning {
            kind: WarningKind::Saturated,
            severity: Severity::Warning,
            layers: which,
            en: format!(
                "Saturation in {en}: up to {} of the units sit on the flat ends of their S-curve for almost every input, where \
                 the slope is nearly 0, so little gradient passes. Lower the learning rate, or use ReLU.",
                pct(worst)
            ),
            ko: format!(
                "{ko}에서 포화: 뉴런의 최대 {}가 거의 모든 입력에서 S자 곡선의 평평한 끝에 머물러 기울기가 거의 0이고, \
                 기울기가 잘 전달되지 않습니다. 학습률을 낮추거나 ReLU를 쓰세요.",
                pct(worst)
            ),
        });
    }

    // Every hidden layer linear.
    let hidden: Vec<&LayerDiagnostics> = layers.iter().filter(|l| l.spec_index.is_some()).collect();
    if !hidden.is_empty() && hidden.iter().all(|l| l.activation == Some(Activation::Linear)) {
        out.push(Warning {
            kind: WarningKind::AllLinear,
            severity: Severity::Info,
            layers: hidden.iter().map(|l| l.index).collect(),
            en: "Every hidden layer is linear, so the whole network collapses into one linear map: however many layers you \
                 stack, its decision boundary is a straight line. Give the hidden layers a nonlinear activation."
                .into(),
            ko: "모든 은닉층이 선형이라 네트워크 전체가 하나의 선형 변환으로 축소됩니다: 층을 몇 개 쌓든 결정 경계는 직선입니다. \
                 은닉층에 비선형 활성화 함수를 주세요."
                .into(),
        });
    }
    out.sort_by_key(|w| std::cmp::Reverse(w.severity));
    (out, ratio)
}
