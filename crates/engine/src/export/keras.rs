//! The network of a spec as Keras 3 code (numpy and keras only; the JAX backend by default),
//! with a loader for DL101 model files.
//!
//! Layouts: Keras keeps a dense kernel as `[in, out]` (ours and PyTorch's weight transposed), a
//! convolution kernel as `[kh, kw, in, out]` on channels-last images, recurrent kernels as
//! `[in, gates·hidden]` and one bias for SimpleRNN and LSTM (so the file's `bias_ih + bias_hh`,
//! which makes those Keras layers `gates·hidden` parameters smaller for the same function), and
//! the GRU's gates as z, r, n where PyTorch has r, z, n (with `reset_after=True`, the default,
//! its two biases and its formula are PyTorch's). The model takes DL101's flat input rows and
//! reshapes them itself; images are moved to channels-last for the convolutions and back
//! before flattening, so the flattened order, and the dense weights after it, are DL101's.

use super::python::{common, docstring, float, present, target_doc, walk};
use crate::activation::Activation;
use crate::init::InitKind;
use crate::layers::{CellKind, PoolKind};
use crate::loss::LossKind;
use crate::optim::OptimKind;
use crate::plan::{Planned, Shape};
use crate::spec::{ModelSpec, RegKind};

/// Runnable Keras code for `spec`'s network and training settings.
pub fn to_keras(spec: &ModelSpec) -> String {
    let mut out = docstring(spec, "Keras", "numpy and keras 3 (pip install keras jax[cpu])");
    out += "import base64\nimport json\nimport os\n\nos.environ.setdefault(\"KERAS_BACKEND\", \"jax\")\n\n";
    out += "import keras\nimport numpy as np\nfrom keras import layers, ops\n\n";
    out += &common(spec);
    out += &custom_layers(spec);
    out += &build(spec);
    out += &loader(spec);
    out += &training(spec);
    out += MAIN;
    out
}

/// Every activation the network uses.
fn activations(spec: &ModelSpec) -> Vec<Activation> {
    walk(spec)
        .iter()
        .filter_map(|(_, p)| match p.layer {
            Planned::Dense { act, .. } | Planned::Conv { act, .. } => Some(act),
            _ => None,
        })
        .collect()
}

fn custom_layers(spec: &ModelSpec) -> String {
    let acts = activations(spec);
    let mut s = String::new();
    if acts.iter().any(|a| matches!(a, Activation::BinaryStep)) {
        s += r#"

class BinaryStep(layers.Layer):
    """1 where x > 0, else 0. Its gradient is 0 everywhere, so backpropagation cannot train
    the layers before it."""

    def call(self, x):
        return ops.cast(ops.greater(x, 0), x.dtype)
"#;
    }
    if acts.iter().any(|a| matches!(a, Activation::Swish { .. })) {
        s += r#"

class Swish(layers.Layer):
    """x * sigmoid(beta * x) (beta = 1 is keras.activations.silu)."""

    def __init__(self, beta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.beta = beta

    def call(self, x):
        return x * ops.sigmoid(self.beta * x)

    def get_config(self):
        return {**super().get_config(), "beta": self.beta}
"#;
    }
    if acts.iter().any(|a| matches!(a, Activation::Maxout { .. })) {
        s += r#"

class Maxout(layers.Layer):
    """The largest of `pieces` consecutive inputs per unit: unit j takes inputs
    j*pieces ... j*pieces + pieces - 1 of the Dense layer before it."""

    def __init__(self, units, pieces, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.pieces = pieces

    def call(self, x):
        return ops.max(ops.reshape(x, (-1, self.units, self.pieces)), axis=-1)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "pieces": self.pieces}
"#;
    }
    s
}

/// The activation as a Dense/Conv2D `activation=` argument, when Keras has it built in.
fn builtin(act: Activation) -> Option<&'static str> {
    match act {
        Activation::Linear => Some("None"),
        Activation::Sigmoid => Some("\"sigmoid\""),
        Activation::Tanh => Some("\"tanh\""),
        Activation::Relu => Some("\"relu\""),
        Activation::Softmax => Some("\"softmax\""),
        Activation::Swish { beta: 1.0 } => Some("\"silu\""),
        _ => None,
    }
}

/// The activation as a layer after a linear one (for those that are not built-in arguments).
fn activation_layer(act: Activation, units: usize, name: &str) -> String {
    match act {
        Activation::BinaryStep => format!("BinaryStep(name=\"{name}\")"),
        Activation::LeakyRelu { alpha } => format!("layers.LeakyReLU(negative_slope={}, name=\"{name}\")", float(alpha)),
        Activation::Elu { alpha } => format!("layers.ELU(alpha={}, name=\"{name}\")", float(alpha)),
        Activation::Swish { beta } => format!("Swish(beta={}, name=\"{name}\")", float(beta)),
        Activation::Prelu => format!(
            "layers.PReLU(alpha_initializer=keras.initializers.Constant({}), {}name=\"{name}\")",
            float(crate::activation::PRELU_INIT),
            reg_arg("alpha_regularizer")
        ),
        Activation::Maxout { pieces } => format!("Maxout({units}, {pieces}, name=\"{name}\")"),
        _ => format!("layers.Activation({}, name=\"{name}\")", builtin(act).unwrap_or("None")),
    }
}

/// `name=REGULARIZER, ` when the spec regularises (REGULARIZER is defined at the top).
fn reg_arg(name: &str) -> String {
    format!("{name}=REGULARIZER, ")
}

fn build(spec: &ModelSpec) -> String {
    let reg = spec.regularization.kind != RegKind::None && spec.regularization.rate > 0.0;
    let r = |names: &[&str]| if reg { names.iter().map(|n| reg_arg(n)).collect::<String>() } else { String::new() };
    let kernel_init = match spec.init {
        InitKind::GlorotUniform => "\"glorot_uniform\"".to_string(),
        InitKind::HeNormal => {
            "keras.initializers.VarianceScaling(2.0, \"fan_in\", \"untruncated_normal\")"
                .to_string()
        }
        InitKind::Zeros => "\"zeros\"".to_string(),
    };
    let mut s = String::from("\n\n");
    s += &match spec.regularization.kind {
        _ if !reg => "REGULARIZER = None\n".to_string(),
        RegKind::L1 => format!(
            "# L1: rate * sum|w| added to the loss, i.e. rate * sign(w) added to the gradient.\nREGULARIZER = keras.regularizers.L1({})\n",
            float(spec.regularization.rate)
        ),
        _ => format!(
            "# L2: rate/2 * sum(w^2) added to the loss, i.e. rate * w added to the gradient (PyTorch's\n# weight_decay); DL101 applies it to every parameter, biases included.\nREGULARIZER = keras.regularizers.L2({} / 2)\n",
            float(spec.regularization.rate)
        ),
    };
    let mut layers_table = Vec::new();
    s += "\n\ndef build_model():\n    \"\"\"The network, initialised as DL101 initialises it (other random numbers).\"\"\"\n";
    let width = crate::plan::input_shape(spec.data.kind, spec.features.len()).len();
    s += &format!("    inputs = keras.Input(shape=({width},))\n    x = inputs\n");
    // Where the tensor is: DL101's layout, or an image moved to channels-last.
    let mut channels_last = false;
    let plans = walk(spec);
    if let Some((_, first)) = plans.first() {
        match first.input {
            Shape::Image { channels, height, width } => {
                s += &format!("    x = layers.Reshape(({channels}, {height}, {width}))(x)  # DL101's images are channels-first\n");
                s += "    x = layers.Permute((2, 3, 1))(x)  # to channels-last for Keras' Conv2D\n";
                channels_last = true;
            }
            Shape::Sequence { steps, features } => {
                s += &format!("    x = layers.Reshape(({steps}, {features}))(x)  # (time steps, features)\n");
            }
            Shape::Flat(_) => {}
        }
    }
    let mut current = plans.first().map_or(Shape::Flat(0), |(_, p)| p.input);
    for (file, p) in &plans {
        let name = file.map(|i| format!("layer{i}")).unwrap_or_default();
        // Flatten back in DL101's order (channels, height, width) before flattening an image.
        let to_flat = |s: &mut String, channels_last: &mut bool| {
            if *channels_last {
                *s += "    x = layers.Permute((3, 1, 2))(x)  # back to channels-first, so flattening keeps DL101's order\n";
                *channels_last = false;
            }
            *s += "    x = layers.Flatten()(x)\n";
        };
        match p.layer {
            Planned::Flatten => to_flat(&mut s, &mut channels_last),
            Planned::Dense { units, act, .. } => {
                if !matches!(current, Shape::Flat(_)) {
                    to_flat(&mut s, &mut channels_last);
                }
                let pre = units * act.fan();
                let (arg, after) = match builtin(act) {
                    Some(a) => (a.to_string(), None),
                    None => ("None".to_string(), Some(activation_layer(act, units, &format!("{name}_{}", act.id())))),
                };
                let what = if p.spec_index.is_none() { "  # the output layer" } else { "" };
                s += &format!(
                    "    x = layers.Dense({pre}, activation={arg}, kernel_initializer={kernel_init}, {}name=\"{name}\")(x){what}\n",
                    r(&["kernel_regularizer", "bias_regularizer"])
                );
                if let Some(a) = after {
                    s += &format!("    x = {a}(x)\n");
                }
                layers_table.push(format!("(\"dense\", \"{name}\")"));
            }
            Planned::Conv { op, act } => {
                if op.padding[0] > 0 {
                    s += &format!("    x = layers.ZeroPadding2D({})(x)\n", op.padding[0]);
                }
                let (arg, after) = match builtin(act) {
                    Some(a) => (a.to_string(), None),
                    None => ("None".to_string(), Some(activation_layer(act, op.out_channels, &format!("{name}_{}", act.id())))),
                };
                s += &format!(
                    "    x = layers.Conv2D({}, {}, strides={}, padding=\"valid\", activation={arg}, kernel_initializer={kernel_init}, {}name=\"{name}\")(x)\n",
                    op.out_channels,
                    op.kernel[0],
                    op.stride[0],
                    r(&["kernel_regularizer", "bias_regularizer"])
                );
                if let Some(a) = after {
                    s += &format!("    x = {a}(x)\n");
                }
                layers_table.push(format!("(\"conv2d\", \"{name}\")"));
            }
            Planned::Pool { kind, op } => {
                let l = if kind == PoolKind::Max { "MaxPooling2D" } else { "AveragePooling2D" };
                s += &format!("    x = layers.{l}({}, strides={}, padding=\"valid\", name=\"{name}\")(x)\n", op.kernel[0], op.stride[0]);
                let k = if kind == PoolKind::Max { "max_pool2d" } else { "avg_pool2d" };
                layers_table.push(format!("(\"{k}\", \"{name}\")"));
            }
            Planned::Recurrent { kind, hidden, return_sequences, .. } => {
                let bound = float((1.0 / (hidden as f64).sqrt()) as f32);
                let init = format!("keras.initializers.RandomUniform(-{bound}, {bound})");
                let (l, extra, k) = match kind {
                    CellKind::Rnn => ("SimpleRNN", "activation=\"tanh\", ", "rnn"),
                    // unit_forget_bias starts the forget gate's bias at 1, as DL101 does.
                    CellKind::Lstm => ("LSTM", "unit_forget_bias=True, ", "lstm"),
                    CellKind::Gru => ("GRU", "reset_after=True, ", "gru"),
                };
                s += &format!(
                    "    x = layers.{l}({hidden}, {extra}return_sequences={}, kernel_initializer={init}, recurrent_initializer={init}, {}name=\"{name}\")(x)\n",
                    if return_sequences { "True" } else { "False" },
                    r(&["kernel_regularizer", "recurrent_regularizer", "bias_regularizer"])
                );
                layers_table.push(format!("(\"{k}\", \"{name}\")"));
            }
        }
        current = p.output;
    }
    s += "    return keras.Model(inputs, x)\n";
    s += &format!(
        "\n\n# The model file's layers, in order: (kind, the Keras layer's name).\nLAYERS = [\n{}]\n",
        layers_table.iter().map(|l| format!("    {l},\n")).collect::<String>()
    );
    s
}

fn loader(_spec: &ModelSpec) -> String {
    r#"

def _gru_gates(a):
    """PyTorch's (and DL101's) GRU gate blocks r, z, n in Keras' order z, r, n (axis 0)."""
    r, z, n = np.split(a, 3, axis=0)
    return np.concatenate([z, r, n], axis=0)


def load_dl101_weights(model, path):
    """Sets the model's weights from a DL101 model file exported for this network."""
    file_layers = read_dl101_model(path)
    if [k for k, _ in file_layers] != [k for k, _ in LAYERS]:
        raise ValueError(f"{path} holds another network: {[k for k, _ in file_layers]}")
    for (kind, t), (_, name) in zip(file_layers, LAYERS):
        if kind == "dense":
            # PyTorch's Linear weight is [out, in]; Keras' kernel is [in, out].
            model.get_layer(name).set_weights([t["weight"].T, t["bias"]])
            if "prelu_alpha" in t:
                model.get_layer(name + "_prelu").set_weights([t["prelu_alpha"]])
        elif kind == "conv2d":
            # [out, in, kh, kw] to Keras' [kh, kw, in, out].
            model.get_layer(name).set_weights([t["weight"].transpose(2, 3, 1, 0), t["bias"]])
        elif kind in ("rnn", "lstm"):
            # Gates i, f, g, o in both; Keras keeps one bias, the sum of PyTorch's two.
            w = [t["weight_ih"].T, t["weight_hh"].T, t["bias_ih"] + t["bias_hh"]]
            model.get_layer(name).set_weights(w)
        elif kind == "gru":
            w = [
                _gru_gates(t["weight_ih"]).T,
                _gru_gates(t["weight_hh"]).T,
                np.stack([_gru_gates(t["bias_ih"]), _gru_gates(t["bias_hh"])]),
            ]
            model.get_layer(name).set_weights(w)
"#
    .to_string()
}

fn training(spec: &ModelSpec) -> String {
    let o = spec.optimizer;
    let optimizer = match o.kind {
        OptimKind::Sgd => format!("keras.optimizers.SGD(learning_rate={})", float(o.lr)),
        OptimKind::Momentum => format!("keras.optimizers.SGD(learning_rate={}, momentum={})", float(o.lr), float(o.momentum)),
        OptimKind::Adam => format!(
            "keras.optimizers.Adam(learning_rate={}, beta_1={}, beta_2={}, epsilon={})",
            float(o.lr),
            float(o.beta1),
            float(o.beta2),
            float(o.eps)
        ),
    };
    let (loss, metrics) = match spec.loss {
        LossKind::Mse => ("keras.losses.MeanSquaredError()", ""),
        LossKind::SigmoidBce => ("keras.losses.BinaryCrossentropy(from_logits=True)", ""),
        LossKind::SoftmaxCrossEntropy => ("keras.losses.SparseCategoricalCrossentropy(from_logits=True)", ", metrics=[\"accuracy\"]"),
    };
    format!(
        r#"

def compile_model(model):
    """DL101's loss (on the raw outputs: logits for the cross-entropies) and optimizer."""
    model.compile(optimizer={optimizer}, loss={loss}{metrics})
    return model


def train(model, x, targets, epochs=10):
    """Trains on x, shape (n, INPUT_WIDTH), and targets: {target}."""
    if not getattr(model, "compiled", False):
        compile_model(model)
    x = np.asarray(x, dtype=np.float32)
    return model.fit(x, np.asarray(targets, dtype=np.float32), batch_size=BATCH_SIZE, epochs=epochs, shuffle=True)


def predict(model, x):
    """The network's answers for x, shape (n, INPUT_WIDTH), as DL101 presents them."""
    out = np.asarray(ops.convert_to_numpy(model(np.asarray(x, dtype=np.float32), training=False)), dtype=np.float64)
{present}"#,
        target = target_doc(spec),
        present = present(spec),
    )
}

const MAIN: &str = r#"

if __name__ == "__main__":
    import sys

    model = build_model()
    model.summary()
    print(f"{model.count_params()} parameters")
    if len(sys.argv) > 1:
        load_dl101_weights(model, sys.argv[1])
        print(f"weights loaded from {sys.argv[1]}")
"#;
