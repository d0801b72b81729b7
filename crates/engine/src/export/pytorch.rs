//! The network of a spec as PyTorch code (numpy and torch only), with a loader for DL101 model
//! files. DL101 keeps PyTorch's layouts and gate orders, so the model file's tensors load as they
//! are: `nn.Linear`, `nn.Conv2d`, `nn.PReLU`, and batch-first `nn.RNN`/`nn.LSTM`/`nn.GRU`.

use super::python::{common, docstring, float, present, target_doc, walk};
use crate::activation::Activation;
use crate::init::InitKind;
use crate::layers::{CellKind, PoolKind};
use crate::loss::LossKind;
use crate::optim::OptimKind;
use crate::plan::{Planned, Shape};
use crate::spec::{ModelSpec, RegKind};

/// Runnable PyTorch code for `spec`'s network and training settings.
pub fn to_pytorch(spec: &ModelSpec) -> String {
    let mut out = docstring(spec, "PyTorch", "numpy and torch (pip install torch)");
    out += "import base64\nimport json\nimport math\nfrom collections import OrderedDict\n\n";
    out += "import numpy as np\nimport torch\nfrom torch import nn\n\n";
    out += &common(spec);
    out += &modules(spec);
    out += &build(spec);
    out += &training(spec);
    out += MAIN;
    out
}

fn modules(spec: &ModelSpec) -> String {
    let plans = walk(spec);
    let acts: Vec<Activation> = plans
        .iter()
        .filter_map(|(_, p)| match p.layer {
            Planned::Dense { act, .. } | Planned::Conv { act, .. } => Some(act),
            _ => None,
        })
        .collect();
    let mut s = String::new();
    if acts.iter().any(|a| matches!(a, Activation::BinaryStep)) {
        s += r#"

class BinaryStep(nn.Module):
    """1 where x > 0, else 0. Its gradient is 0 everywhere, so backpropagation cannot train
    the layers before it."""

    def forward(self, x):
        return (x > 0).to(x.dtype)
"#;
    }
    if acts.iter().any(|a| matches!(a, Activation::Swish { beta } if *beta != 1.0)) {
        s += r#"

class Swish(nn.Module):
    """x * sigmoid(beta * x) (beta = 1 is nn.SiLU)."""

    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = beta

    def forward(self, x):
        return x * torch.sigmoid(self.beta * x)
"#;
    }
    if acts.iter().any(|a| matches!(a, Activation::Maxout { .. })) {
        s += r#"

class Maxout(nn.Module):
    """The largest of `pieces` consecutive inputs per unit: unit j takes inputs
    j*pieces ... j*pieces + pieces - 1 of the Linear layer before it."""

    def __init__(self, units, pieces):
        super().__init__()
        self.units = units
        self.pieces = pieces

    def forward(self, x):
        return x.unflatten(-1, (self.units, self.pieces)).amax(dim=-1)
"#;
    }
    if plans.iter().any(|(_, p)| matches!(p.layer, Planned::Recurrent { .. })) {
        s += r#"

class Recurrent(nn.Module):
    """A batch-first nn.RNN, nn.LSTM or nn.GRU that returns the last step's output, or every
    step's with return_sequences."""

    def __init__(self, rnn, return_sequences):
        super().__init__()
        self.rnn = rnn
        self.return_sequences = return_sequences

    def forward(self, x):
        out, _ = self.rnn(x)
        return out if self.return_sequences else out[:, -1]
"#;
    }
    s
}

fn activation(act: Activation, units: usize) -> Option<String> {
    Some(match act {
        Activation::Linear => return None,
        Activation::BinaryStep => "BinaryStep()".into(),
        Activation::Sigmoid => "nn.Sigmoid()".into(),
        Activation::Tanh => "nn.Tanh()".into(),
        Activation::Relu => "nn.ReLU()".into(),
        Activation::LeakyRelu { alpha } => format!("nn.LeakyReLU({})", float(alpha)),
        Activation::Prelu => format!("nn.PReLU({units}, init={})", float(crate::activation::PRELU_INIT)),
        Activation::Elu { alpha } => format!("nn.ELU({})", float(alpha)),
        Activation::Swish { beta: 1.0 } => "nn.SiLU()".into(),
        Activation::Swish { beta } => format!("Swish({})", float(beta)),
        Activation::Maxout { pieces } => format!("Maxout({units}, {pieces})"),
        Activation::Softmax => "nn.Softmax(dim=-1)".into(),
    })
}

fn build(spec: &ModelSpec) -> String {
    let plans = walk(spec);
    let mut items: Vec<(String, String)> = Vec::new();
    let mut table = Vec::new();
    let mut current = plans.first().map_or(Shape::Flat(0), |(_, p)| p.input);
    match current {
        Shape::Image { channels, height, width } => {
            items.push(("input".into(), format!("nn.Unflatten(1, ({channels}, {height}, {width}))")));
        }
        Shape::Sequence { steps, features } => items.push(("input".into(), format!("nn.Unflatten(1, ({steps}, {features}))"))),
        Shape::Flat(_) => {}
    }
    for (i, (file, p)) in plans.iter().enumerate() {
        let name = file.map(|f| format!("layer{f}")).unwrap_or_else(|| format!("flatten{i}"));
        match p.layer {
            Planned::Flatten => items.push((name.clone(), "nn.Flatten()".into())),
            Planned::Dense { fan_in, units, act } => {
                if !matches!(current, Shape::Flat(_)) {
                    items.push((format!("flatten{i}"), "nn.Flatten()".into()));
                }
                items.push((name.clone(), format!("nn.Linear({fan_in}, {})", units * act.fan())));
                if let Some(a) = activation(act, units) {
                    items.push((format!("{name}_{}", act.id()), a));
                }
                table.push(format!("(\"dense\", \"{name}\")"));
            }
            Planned::Conv { op, act } => {
                items.push((
                    name.clone(),
                    format!(
                        "nn.Conv2d({}, {}, kernel_size={}, stride={}, padding={})",
                        op.in_channels, op.out_channels, op.kernel[0], op.stride[0], op.padding[0]
                    ),
                ));
                if let Some(a) = activation(act, op.out_channels) {
                    items.push((format!("{name}_{}", act.id()), a));
                }
                table.push(format!("(\"conv2d\", \"{name}\")"));
            }
            Planned::Pool { kind, op } => {
                let (m, k) = if kind == PoolKind::Max { ("MaxPool2d", "max_pool2d") } else { ("AvgPool2d", "avg_pool2d") };
                items.push((name.clone(), format!("nn.{m}({}, stride={})", op.kernel[0], op.stride[0])));
                table.push(format!("(\"{k}\", \"{name}\")"));
            }
            Planned::Recurrent { kind, input, hidden, return_sequences, .. } => {
                let (m, k) = match kind {
                    CellKind::Rnn => ("nn.RNN", "rnn"),
                    CellKind::Lstm => ("nn.LSTM", "lstm"),
                    CellKind::Gru => ("nn.GRU", "gru"),
                };
                let rs = if return_sequences { "True" } else { "False" };
                items.push((name.clone(), format!("Recurrent({m}({input}, {hidden}, batch_first=True), return_sequences={rs})")));
                table.push(format!("(\"{k}\", \"{name}\")"));
            }
        }
        current = p.output;
    }
    let init = match spec.init {
        InitKind::GlorotUniform => "nn.init.xavier_uniform_(m.weight)",
        InitKind::HeNormal => "nn.init.kaiming_normal_(m.weight, nonlinearity=\"relu\")",
        InitKind::Zeros => "nn.init.zeros_(m.weight)",
    };
    let mut s = String::from("\n\ndef build_model():\n    \"\"\"The network, initialised as DL101 initialises it (other random numbers).\"\"\"\n");
    s += "    model = nn.Sequential(\n        OrderedDict(\n            [\n";
    for (n, m) in &items {
        s += &format!("                (\"{n}\", {m}),\n");
    }
    s += "            ]\n        )\n    )\n    init_weights(model)\n    return model\n";
    s += &format!(
        r#"

def init_weights(model):
    """DL101's initialisation: {init_name} weights and zero biases for Linear and Conv2d,
    PReLU slopes 0.25, U(-1/sqrt(H), 1/sqrt(H)) recurrent weights, zero recurrent biases except
    the LSTM's forget gate (1 in bias_ih)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                {init}
                nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.RNN, nn.LSTM, nn.GRU)):
                bound = 1.0 / math.sqrt(m.hidden_size)
                for name, p in m.named_parameters():
                    if name.startswith("weight"):
                        nn.init.uniform_(p, -bound, bound)
                    else:
                        nn.init.zeros_(p)
                if isinstance(m, nn.LSTM):
                    m.bias_ih_l0[m.hidden_size : 2 * m.hidden_size] = 1.0


# The model file's layers, in order: (kind, the module's name in the Sequential).
LAYERS = [
{table}]


def load_dl101_weights(model, path):
    """Sets the model's weights from a DL101 model file exported for this network (same
    layouts and gate orders as PyTorch: the tensors load unchanged)."""
    file_layers = read_dl101_model(path)
    if [k for k, _ in file_layers] != [k for k, _ in LAYERS]:
        raise ValueError(f"{{path}} holds another network: {{[k for k, _ in file_layers]}}")
    modules = dict(model.named_children())

    def put(param, value):
        if tuple(param.shape) != value.shape:
            raise ValueError(f"{{path}}: a tensor of shape {{value.shape}} for {{tuple(param.shape)}}")
        param.copy_(torch.from_numpy(value))

    with torch.no_grad():
        for (kind, t), (_, name) in zip(file_layers, LAYERS):
            m = modules[name]
            if kind in ("dense", "conv2d"):
                put(m.weight, t["weight"])
                put(m.bias, t["bias"])
                if "prelu_alpha" in t:
                    put(modules[name + "_prelu"].weight, t["prelu_alpha"])
            elif kind in ("rnn", "lstm", "gru"):
                for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    put(getattr(m.rnn, p + "_l0"), t[p])
"#,
        init_name = match spec.init {
            InitKind::GlorotUniform => "Glorot (Xavier) uniform",
            InitKind::HeNormal => "He (Kaiming) normal",
            InitKind::Zeros => "all-zero",
        },
        table = table.iter().map(|l| format!("    {l},\n")).collect::<String>(),
    );
    s
}

fn training(spec: &ModelSpec) -> String {
    let o = spec.optimizer;
    let wd = match spec.regularization.kind {
        RegKind::L2 if spec.regularization.rate > 0.0 => format!(", weight_decay={}", float(spec.regularization.rate)),
        _ => String::new(),
    };
    let l1 = match spec.regularization.kind {
        RegKind::L1 => float(spec.regularization.rate),
        _ => "0.0".into(),
    };
    let optimizer = match o.kind {
        OptimKind::Sgd => format!("torch.optim.SGD(model.parameters(), lr={}{wd})", float(o.lr)),
        OptimKind::Momentum => format!("torch.optim.SGD(model.parameters(), lr={}, momentum={}{wd})", float(o.lr), float(o.momentum)),
        OptimKind::Adam => format!(
            "torch.optim.Adam(model.parameters(), lr={}, betas=({}, {}), eps={}{wd})",
            float(o.lr),
            float(o.beta1),
            float(o.beta2),
            float(o.eps)
        ),
    };
    let (loss, target) = match spec.loss {
        LossKind::Mse => ("nn.MSELoss()", "torch.as_tensor(np.asarray(targets, dtype=np.float32)).reshape(len(x), -1)"),
        LossKind::SigmoidBce => ("nn.BCEWithLogitsLoss()", "torch.as_tensor(np.asarray(targets, dtype=np.float32)).reshape(len(x), -1)"),
        LossKind::SoftmaxCrossEntropy => ("nn.CrossEntropyLoss()", "torch.as_tensor(np.asarray(targets)).long().reshape(-1)"),
    };
    format!(
        r#"

# L1 regularisation: rate * sum|p| over every parameter added to the loss (0: none).
L1_RATE = {l1}


def make_optimizer(model):
    """DL101's optimizer (L2 regularisation is its weight_decay, on every parameter)."""
    return {optimizer}


def train(model, x, targets, epochs=10):
    """Trains on x, shape (n, INPUT_WIDTH), and targets: {target_doc}.
    The loss ({loss_id}) takes the raw outputs: logits for the cross-entropies."""
    x = torch.as_tensor(np.asarray(x, dtype=np.float32))
    y = {target}
    optimizer = make_optimizer(model)
    loss_fn = {loss}
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(len(x))
        for start in range(0, len(x), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            optimizer.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            if L1_RATE:
                loss = loss + L1_RATE * sum(p.abs().sum() for p in model.parameters())
            loss.backward()
            optimizer.step()
        print(f"epoch {{epoch + 1}}: last batch loss {{loss.item():.5f}}")


def predict(model, x):
    """The network's answers for x, shape (n, INPUT_WIDTH), as DL101 presents them."""
    model.eval()
    with torch.no_grad():
        out = model(torch.as_tensor(np.asarray(x, dtype=np.float32))).double().numpy()
{present}"#,
        target_doc = target_doc(spec),
        loss_id = spec.loss.id(),
        present = present(spec),
    )
}

const MAIN: &str = r#"

if __name__ == "__main__":
    import sys

    model = build_model()
    print(model)
    print(f"{sum(p.numel() for p in model.parameters())} parameters")
    if len(sys.argv) > 1:
        load_dl101_weights(model, sys.argv[1])
        print(f"weights loaded from {sys.argv[1]}")
"#;
