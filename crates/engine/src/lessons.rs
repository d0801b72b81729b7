//! Lessons: one per point of the study notes the playground teaches. Each opens a prepared
//! experiment ([`Lesson::spec`]) with a short explanation in English and Korean, a "try this"
//! change the page applies with one click ([`Lesson::try_spec`]) and what to watch
//! ([`Lesson::expect`], [`Lesson::focus`]). The specs are small, so they train in seconds in the
//! browser on either backend; `tests/lessons.rs` trains every one (and its "try this") on the CPU
//! and checks that it shows what its text promises.
//!
//! ```
//! use engine::lessons::{LESSONS, lesson};
//! for l in LESSONS {
//!     (l.spec)().validate().unwrap();
//!     if let Some(t) = l.try_spec {
//!         t(&(l.spec)()).validate().unwrap();
//!     }
//! }
//! assert_eq!(lesson("dying_relu").unwrap().id, "dying_relu");
//! ```

use crate::activation::{Activation, Text};
use crate::data::{DatasetKind, Feature};
use crate::init::InitKind;
use crate::loss::LossKind;
use crate::optim::OptimKind;
use crate::spec::{DataSpec, LayerSpec, ModelSpec, OptimizerSpec};

/// What the page should put in front of the learner for a lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The decision boundary of the 2-D data (and the neuron thumbnails).
    Boundary,
    /// The per-layer diagnostics: gradient norms and warnings.
    Gradients,
    /// The per-layer diagnostics: the dead-unit share.
    DeadUnits,
    /// The output probabilities of the test samples.
    Probabilities,
    /// The filters and feature maps.
    FeatureMaps,
    /// The loss and accuracy curves.
    Curves,
    /// Steps per second on the CPU and on WebGPU at growing widths (the page measures them).
    Devices,
}

/// One lesson.
#[derive(Clone, Copy, Debug)]
pub struct Lesson {
    /// Stable id (for links: the page may put it in the URL next to the spec).
    pub id: &'static str,
    pub title: Text,
    /// What the experiment shows and why, in plain words (3–6 sentences).
    pub explain: Text,
    /// The one change to try.
    pub try_this: Text,
    /// The prepared experiment.
    pub spec: fn() -> ModelSpec,
    /// The "try this" change applied to a spec (the page passes the learner's current spec, which
    /// starts as [`Lesson::spec`]); `None` when the lesson has nothing to click.
    pub try_spec: Option<fn(&ModelSpec) -> ModelSpec>,
    /// What to watch before and after the change.
    pub expect: Text,
    pub focus: Focus,
    /// Epochs after which the outcome shows (the tests train this many).
    pub epochs: u32,
}

/// Every lesson, in the order of the notes.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "linear_collapse",
        title: Text { en: "Stacked linear layers are still one line", ko: "선형 층은 쌓아도 하나의 직선" },
        explain: Text {
            en: "This network has three hidden layers, but every one uses the linear activation f(x) = x. \
                 A linear function of a linear function is again linear, so the whole stack collapses into one linear map \
                 and its decision boundary can only be a straight line. A circle inside a ring cannot be separated by a line, \
                 so accuracy stays far from good however long it trains. Depth only helps when each layer bends its input.",
            ko: "이 네트워크는 은닉층이 세 개지만 모두 선형 활성화 f(x) = x를 씁니다. \
                 선형 함수의 선형 함수는 다시 선형이므로, 층을 아무리 쌓아도 전체가 하나의 선형 변환으로 축소되고 \
                 결정 경계는 직선밖에 될 수 없습니다. 원을 둘러싼 고리는 직선으로 나눌 수 없어서, 오래 학습해도 정확도는 \
                 좋아지지 않습니다. 깊이는 각 층이 입력을 구부릴 때만 의미가 있습니다.",
        },
        try_this: Text {
            en: "Switch every hidden layer to tanh, a nonlinear activation.",
            ko: "모든 은닉층을 비선형 활성화 함수인 tanh로 바꿔 보세요.",
        },
        spec: linear_collapse,
        try_spec: Some(all_tanh),
        expect: Text {
            en: "Linear: the boundary stays a straight line and test accuracy stays under about 70% (a line can only cut a slice off the ring). \
                 Tanh: the boundary closes around the circle and accuracy passes 90% within a few epochs.",
            ko: "선형: 경계가 직선으로 남고 테스트 정확도가 약 70% 아래에 머뭅니다(직선은 고리의 한 조각만 잘라 낼 수 있습니다). \
                 tanh: 경계가 원을 감싸며 몇 에포크 안에 정확도가 90%를 넘습니다.",
        },
        focus: Focus::Boundary,
        epochs: 10,
    },
    Lesson {
        id: "binary_step",
        title: Text { en: "A binary step cannot be trained by backpropagation", ko: "이진 계단 함수는 역전파로 학습할 수 없다" },
        explain: Text {
            en: "Each hidden unit here fires 1 when its input is positive and 0 otherwise, like a neuron that either fires or stays quiet. \
                 Backpropagation moves a weight by the slope of everything after it, and the step's slope is 0 everywhere \
                 (and undefined at the jump). So no gradient reaches the hidden layers: their weights stay exactly where they started, \
                 and only the output layer learns from whatever random features they happen to give. \
                 The step also gives only 0 or 1, too little to tell many classes apart.",
            ko: "여기의 은닉 뉴런은 입력이 양수면 1, 아니면 0을 냅니다. 발화하거나 조용히 있는 뉴런과 같습니다. \
                 역전파는 뒤따르는 모든 것의 기울기만큼 가중치를 움직이는데, 계단 함수의 기울기는 어디서나 0이고 \
                 뛰는 지점에서는 정의되지 않습니다. 그래서 은닉층에는 기울기가 전혀 도달하지 않아 가중치가 처음 그대로 남고, \
                 출력층만 우연히 주어진 무작위 특징으로 학습합니다. 또 0과 1만 내므로 여러 클래스를 구분하기에 부족합니다.",
        },
        try_this: Text {
            en: "Switch the hidden layers to sigmoid, a smooth version of the step whose slope is never exactly 0.",
            ko: "은닉층을 시그모이드로 바꿔 보세요. 기울기가 정확히 0이 되지 않는, 계단 함수의 부드러운 버전입니다.",
        },
        spec: binary_step,
        try_spec: Some(all_sigmoid),
        expect: Text {
            en: "Step: the diagnostics show a gradient of exactly 0 in the hidden layers and a warning; their neuron pictures never change. \
                 Sigmoid: the hidden gradients are non-zero, the weights move and accuracy climbs above 90%.",
            ko: "계단: 진단에서 은닉층의 기울기가 정확히 0이고 경고가 뜨며, 뉴런 그림이 전혀 바뀌지 않습니다. \
                 시그모이드: 은닉층 기울기가 0이 아니게 되고, 가중치가 움직이며 정확도가 90% 위로 오릅니다.",
        },
        focus: Focus::Gradients,
        epochs: 10,
    },
    Lesson {
        id: "vanishing_gradients",
        title: Text { en: "Sigmoid gradients vanish in a deep network", ko: "깊은 망에서 시그모이드의 기울기 소실" },
        explain: Text {
            en: "This network stacks eight sigmoid layers and trains with plain SGD. \
                 The sigmoid's slope is at most 0.25, and backpropagation multiplies the gradient by that slope once per layer, \
                 so by the time it reaches the first layers it has shrunk a hundred thousand times. \
                 Those layers barely move, the network as a whole stalls near 50%, and the loss curve stays flat. \
                 Tanh suffers the same way when its units saturate. ReLU's slope is exactly 1 for positive inputs, so the gradient passes through.",
            ko: "이 네트워크는 시그모이드 층 여덟 개를 쌓고 일반 SGD로 학습합니다. \
                 시그모이드의 기울기는 최대 0.25이고, 역전파는 층마다 그 기울기를 곱하므로 앞쪽 층에 도달할 때는 \
                 기울기가 십만 배 넘게 작아져 있습니다. 그 층들은 거의 움직이지 않고, 네트워크 전체가 50% 근처에서 멈추며 \
                 손실 곡선이 평평하게 남습니다. tanh도 뉴런이 포화되면 같은 문제를 겪습니다. ReLU는 양수 입력에서 기울기가 정확히 1이라 기울기가 그대로 전달됩니다.",
        },
        try_this: Text { en: "Switch every hidden layer to ReLU.", ko: "모든 은닉층을 ReLU로 바꿔 보세요." },
        spec: vanishing,
        try_spec: Some(all_relu),
        expect: Text {
            en: "Sigmoid: the first layer's gradient is under a thousandth of the output layer's (a vanishing-gradient warning) and accuracy stays near 50%. \
                 ReLU: the gradients are of similar size in every layer and accuracy passes 90%.",
            ko: "시그모이드: 첫 층의 기울기가 출력층의 천분의 일도 안 되며(기울기 소실 경고) 정확도가 50% 근처에 머뭅니다. \
                 ReLU: 모든 층의 기울기 크기가 비슷해지고 정확도가 90%를 넘습니다.",
        },
        focus: Focus::Gradients,
        epochs: 15,
    },
    Lesson {
        id: "dying_relu",
        title: Text { en: "ReLU units die at a high learning rate", ko: "높은 학습률에서 죽는 ReLU" },
        explain: Text {
            en: "ReLU passes positive inputs unchanged and turns negative ones into 0, and for negative inputs its slope is 0 too. \
                 With a learning rate this high, one large step can push a unit's weights and bias so far that its input is negative for every example. \
                 From then on it outputs 0 and receives no gradient, so it never recovers: a dead ReLU. \
                 As more units die, the network loses capacity and its accuracy drops. \
                 Leaky ReLU keeps a small slope (0.01) for negative inputs, and PReLU learns that slope, so their units can always come back.",
            ko: "ReLU는 양수 입력은 그대로, 음수 입력은 0으로 내보내며, 음수 입력에서는 기울기도 0입니다. \
                 학습률이 이렇게 높으면 한 번의 큰 갱신이 뉴런의 가중치와 편향을 너무 멀리 밀어 모든 예제에서 입력이 음수가 될 수 있습니다. \
                 그 뒤로 이 뉴런은 0만 내고 기울기도 받지 못해 다시 살아나지 못합니다: 죽은 ReLU입니다. \
                 죽은 뉴런이 늘수록 네트워크의 표현력이 줄고 정확도가 떨어집니다. \
                 Leaky ReLU는 음수 입력에도 작은 기울기(0.01)를 남기고, PReLU는 그 기울기를 학습하므로 뉴런이 언제든 되살아날 수 있습니다.",
        },
        try_this: Text {
            en: "Switch the hidden layers to Leaky ReLU at the same learning rate (or try PReLU).",
            ko: "같은 학습률에서 은닉층을 Leaky ReLU로 바꿔 보세요(PReLU도 시도해 보세요).",
        },
        spec: dying_relu,
        try_spec: Some(all_leaky),
        expect: Text {
            en: "ReLU: the dead-unit share climbs past half in the deeper hidden layers, with a dying-ReLU warning, and accuracy falls back. \
                 Leaky ReLU: no unit is dead and accuracy reaches about 100%.",
            ko: "ReLU: 깊은 은닉층에서 죽은 뉴런 비율이 절반을 넘고 죽은 ReLU 경고가 뜨며 정확도가 다시 떨어집니다. \
                 Leaky ReLU: 죽은 뉴런이 없고 정확도가 거의 100%에 이릅니다.",
        },
        focus: Focus::DeadUnits,
        epochs: 15,
    },
    Lesson {
        id: "softmax",
        title: Text { en: "Softmax: one probability per class", ko: "소프트맥스: 클래스마다 하나의 확률" },
        explain: Text {
            en: "The handwritten digits have ten classes, so the output layer has ten units. \
                 Softmax turns their ten scores into probabilities that are all positive and add up to 1, \
                 and the predicted digit is simply the most probable one. \
                 Training with cross-entropy raises the probability of the right digit. \
                 Softmax belongs in the output layer of a multi-class problem where each example has exactly one label.",
            ko: "손글씨 숫자는 클래스가 열 개라서 출력층에도 뉴런이 열 개 있습니다. \
                 소프트맥스는 열 개의 점수를 모두 양수이고 합이 1인 확률로 바꾸며, 예측한 숫자는 확률이 가장 큰 것입니다. \
                 교차 엔트로피로 학습하면 정답 숫자의 확률이 올라갑니다. \
                 소프트맥스는 예제마다 레이블이 하나뿐인 다중 클래스 문제의 출력층에 씁니다.",
        },
        try_this: Text {
            en: "Switch the data set to the generated shapes: four classes, so the output shrinks to four probabilities.",
            ko: "데이터를 생성된 도형으로 바꿔 보세요: 클래스가 네 개라서 출력이 네 개의 확률로 줄어듭니다.",
        },
        spec: softmax_digits,
        try_spec: Some(to_shapes),
        expect: Text {
            en: "Each test image gets ten probabilities that sum to 1; the largest is the prediction, and test accuracy passes 85%. \
                 With the shapes there are four probabilities per image.",
            ko: "테스트 이미지마다 합이 1인 확률 열 개가 나오고, 가장 큰 것이 예측이며, 테스트 정확도가 85%를 넘습니다. \
                 도형에서는 이미지마다 확률이 네 개입니다.",
        },
        focus: Focus::Probabilities,
        epochs: 8,
    },
    Lesson {
        id: "swish_deep",
        title: Text { en: "Swish in a very deep network", ko: "매우 깊은 망에서의 Swish" },
        explain: Text {
            en: "This network has sixteen hidden layers, the most the playground allows (Swish's reported advantage is for 40 or more). \
                 Swish, x·sigmoid(x), looks like ReLU for large inputs but is smooth and lets a little negative signal through, \
                 so its units never switch off completely and the gradient keeps flowing through every layer. \
                 ReLU in the same narrow, deep stack tends to lose units: once a unit is dead, every layer after it has less to work with.",
            ko: "이 네트워크는 은닉층이 열여섯 개로, 플레이그라운드가 허용하는 최대입니다(Swish의 장점은 40층 이상에서 보고되었습니다). \
                 Swish, 즉 x·sigmoid(x)는 큰 입력에서는 ReLU처럼 보이지만 매끄럽고 작은 음수 신호도 통과시켜, \
                 뉴런이 완전히 꺼지지 않고 기울기가 모든 층을 계속 흐릅니다. \
                 같은 좁고 깊은 구조에서 ReLU는 뉴런을 잃기 쉽습니다: 한 뉴런이 죽으면 그 뒤의 모든 층이 쓸 정보가 줄어듭니다.",
        },
        try_this: Text { en: "Switch every hidden layer to ReLU.", ko: "모든 은닉층을 ReLU로 바꿔 보세요." },
        spec: swish_deep,
        try_spec: Some(all_relu),
        expect: Text {
            en: "Swish: no dead units and accuracy near 100% within a few epochs. \
                 ReLU also learns this task, but in the deep layers a quarter to a half of the units are dead (see the diagnostics): capacity it has lost.",
            ko: "Swish: 죽은 뉴런이 없고 몇 에포크 안에 정확도가 100% 가까이 됩니다. \
                 ReLU도 이 문제는 풀지만, 깊은 층에서 뉴런의 4분의 1에서 절반이 죽어 있습니다(진단을 보세요): 잃어버린 표현력입니다.",
        },
        focus: Focus::DeadUnits,
        epochs: 6,
    },
    Lesson {
        id: "cnn_digits",
        title: Text { en: "A convolutional network reads digits", ko: "합성곱 신경망으로 숫자 읽기" },
        explain: Text {
            en: "A convolution slides eight small 3x3 filters over the image, so the same few weights look for the same stroke or edge everywhere. \
                 Max pooling then keeps the strongest response in each 2x2 patch, and one dense layer with softmax reads the class from those maps. \
                 Because the filters are shared across positions, the network needs far fewer weights than one that connects every pixel to every unit. \
                 This is why convolutional networks are the tool for images.",
            ko: "합성곱은 작은 3x3 필터 여덟 개를 이미지 위로 밀며 적용하므로, 같은 몇 개의 가중치가 어디서나 같은 획이나 가장자리를 찾습니다. \
                 이어서 최대 풀링이 2x2 영역마다 가장 강한 반응만 남기고, 소프트맥스를 쓴 밀집층 하나가 그 특징 맵에서 클래스를 읽습니다. \
                 필터를 모든 위치에서 공유하므로, 모든 픽셀을 모든 뉴런에 연결하는 네트워크보다 가중치가 훨씬 적게 듭니다. \
                 그래서 합성곱 신경망이 이미지의 도구입니다.",
        },
        try_this: Text {
            en: "Replace the convolution and pooling by a dense layer of 32 units on the flattened pixels, and compare the weight counts.",
            ko: "합성곱과 풀링을 펼친 픽셀 위의 32개 뉴런 밀집층으로 바꾸고, 가중치 수를 비교해 보세요.",
        },
        spec: cnn_digits,
        try_spec: Some(dense_digits),
        expect: Text {
            en: "The CNN passes 90% test accuracy within a few epochs; its filters and feature maps show strokes. \
                 The dense network reaches a similar accuracy with almost twice as many weights.",
            ko: "CNN은 몇 에포크 안에 테스트 정확도 90%를 넘고, 필터와 특징 맵에 획이 보입니다. \
                 밀집 네트워크는 비슷한 정확도에 가중치가 거의 두 배 듭니다.",
        },
        focus: Focus::FeatureMaps,
        epochs: 5,
    },
    Lesson {
        id: "memory_gates",
        title: Text { en: "LSTM and GRU remember; a plain RNN forgets", ko: "LSTM과 GRU는 기억하고, 단순 RNN은 잊는다" },
        explain: Text {
            en: "Each sequence shows a bit together with a cue, then at least ten more random bits; the network must answer with the cued bit at the end. \
                 A plain RNN adds every new input into its tanh state, so the later bits wash the cued one out, and its gradient through many steps fades too. \
                 An LSTM or GRU has gates: it can decide to store the bit when the cue comes and to keep it unchanged across the later steps. \
                 That is why LSTM and GRU are the usual recurrent layers for sequences.",
            ko: "각 시퀀스는 신호와 함께 비트 하나를 보여 주고, 그 뒤로 무작위 비트를 열 개 이상 더 보여 줍니다. 네트워크는 끝에서 신호가 있던 비트를 답해야 합니다. \
                 단순 RNN은 새 입력을 tanh 상태에 계속 더하므로 뒤의 비트들이 기억할 비트를 씻어 내고, 여러 단계를 거치는 기울기도 사라집니다. \
                 LSTM과 GRU에는 게이트가 있어 신호가 올 때 비트를 저장하고 이후 단계 동안 그대로 유지하도록 결정할 수 있습니다. \
                 그래서 시퀀스에는 LSTM과 GRU가 흔히 쓰입니다.",
        },
        try_this: Text {
            en: "Replace the RNN by an LSTM of the same size (or a GRU).",
            ko: "RNN을 같은 크기의 LSTM(또는 GRU)으로 바꿔 보세요.",
        },
        spec: memory_rnn,
        try_spec: Some(to_lstm),
        expect: Text {
            en: "RNN: test accuracy stays near 50%, a coin toss. LSTM: it passes 90% within about twenty epochs.",
            ko: "RNN: 테스트 정확도가 동전 던지기인 50% 근처에 머뭅니다. LSTM: 스무 에포크 정도 안에 90%를 넘습니다.",
        },
        focus: Focus::Curves,
        epochs: 20,
    },
    Lesson {
        id: "why_gpus",
        title: Text { en: "Why deep learning trains on GPUs", ko: "딥러닝이 GPU에서 학습하는 이유" },
        explain: Text {
            en: "A training step is mostly matrix products: every unit of a layer multiplies every one of its inputs by a weight, for every sample of the batch. \
                 A CPU has a few fast cores; a GPU has thousands of small ones that run those multiply-adds side by side, but every step also pays a fixed cost to launch its kernels and wait for them. \
                 So a narrow network finishes a step on the CPU before the GPU has started, and the GPU pulls ahead once the layers are wide enough to keep its cores busy. \
                 The measurement below trains the same network at growing widths on both devices, on your own machine.",
            ko: "학습 한 스텝은 대부분 행렬 곱입니다: 층의 모든 뉴런이 배치의 모든 샘플에서 모든 입력에 가중치를 곱합니다. \
                 CPU에는 빠른 코어가 몇 개 있고, GPU에는 이 곱셈과 덧셈을 나란히 실행하는 작은 코어가 수천 개 있지만, 스텝마다 커널을 띄우고 기다리는 고정 비용이 듭니다. \
                 그래서 좁은 신경망은 GPU가 시작하기도 전에 CPU에서 한 스텝을 끝내고, 층이 GPU의 코어를 바쁘게 할 만큼 넓어지면 GPU가 앞서 나갑니다. \
                 아래 측정은 같은 신경망을 점점 넓혀 가며 두 장치에서 학습시킵니다. 여러분의 컴퓨터에서요.",
        },
        try_this: Text {
            en: "Press Measure; then widen the network to 256 units a layer and train it with the device set to CPU and then to WebGPU.",
            ko: "측정을 누르세요. 그다음 신경망을 층마다 256개 뉴런으로 넓히고, 장치를 CPU로, 그다음 WebGPU로 두고 학습시켜 보세요.",
        },
        spec: narrow_spiral,
        try_spec: Some(wide_spiral),
        expect: Text {
            en: "The table gives the steps per second of each device at each width, and says from which width the GPU wins. \
                 A software WebGPU adapter (one that runs on the CPU, as in many virtual machines) cannot win at any width; a real GPU wins once the layers are a few hundred units wide.",
            ko: "표는 너비마다 각 장치의 초당 스텝 수를 보여 주고, 어느 너비부터 GPU가 이기는지 알려 줍니다. \
                 소프트웨어 WebGPU 어댑터(많은 가상 머신처럼 CPU에서 도는 것)는 어떤 너비에서도 이길 수 없고, 진짜 GPU는 층이 수백 개 뉴런 너비가 되면 이깁니다.",
        },
        focus: Focus::Devices,
        epochs: 2,
    },
];

/// The widths the GPU lesson measures, narrowest first.
pub const GPU_LESSON_WIDTHS: [u32; 4] = [8, 64, 256, 1024];

/// The GPU lesson's network at `width` units in each of its two hidden layers: the spiral, ReLU,
/// softmax cross-entropy, Adam, batches of 64.
pub fn spiral_at_width(width: u32) -> ModelSpec {
    let mut s = ModelSpec::default();
    s.data = DataSpec { kind: DatasetKind::Spiral, points: 500, noise: 0, train_percent: 50 };
    s.features = vec![Feature::X1, Feature::X2];
    s.layers = vec![LayerSpec::Dense { units: width, activation: Activation::Relu }; 2];
    s.loss = LossKind::SoftmaxCrossEntropy;
    s.optimizer = OptimizerSpec { kind: OptimKind::Adam, lr: 0.01, ..s.optimizer };
    s.batch_size = 64;
    s.seed = 1;
    s
}

fn narrow_spiral() -> ModelSpec {
    spiral_at_width(GPU_LESSON_WIDTHS[0])
}

fn wide_spiral(s: &ModelSpec) -> ModelSpec {
    let mut s = s.clone();
    for l in &mut s.layers {
        if let LayerSpec::Dense { units, .. } = l {
            *units = 256;
        }
    }
    s
}

/// The lesson with id `id`.
pub fn lesson(id: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.id == id)
}

/// A two-class 2-D spec: `points` points of `kind`, features x₁ and x₂, `depth` hidden dense
/// layers of `units` with `act`, sigmoid cross-entropy.
fn points(kind: DatasetKind, depth: usize, units: u32, act: Activation, optim: OptimKind, lr: f32) -> ModelSpec {
    let mut s = ModelSpec::default();
    s.data = DataSpec { kind, points: 500, noise: 0, train_percent: 50 };
    s.features = vec![Feature::X1, Feature::X2];
    s.layers = vec![LayerSpec::Dense { units, activation: act }; depth];
    s.loss = LossKind::SigmoidBce;
    s.optimizer = OptimizerSpec { kind: optim, lr, ..s.optimizer };
    s.batch_size = 10;
    s.seed = 1;
    s
}

fn linear_collapse() -> ModelSpec {
    points(DatasetKind::Circle, 3, 8, Activation::Linear, OptimKind::Adam, 0.03)
}

fn binary_step() -> ModelSpec {
    points(DatasetKind::Circle, 2, 8, Activation::BinaryStep, OptimKind::Adam, 0.03)
}

fn vanishing() -> ModelSpec {
    points(DatasetKind::Circle, 8, 8, Activation::Sigmoid, OptimKind::Sgd, 0.1)
}

fn dying_relu() -> ModelSpec {
    let mut s = points(DatasetKind::Circle, 3, 8, Activation::Relu, OptimKind::Adam, 0.3);
    // He initialisation, the usual choice for ReLU: the units die of the learning rate, not the start.
    s.init = InitKind::HeNormal;
    s
}

fn swish_deep() -> ModelSpec {
    let mut s = points(DatasetKind::Circle, 16, 8, Activation::Swish { beta: 1.0 }, OptimKind::Adam, 0.01);
    s.init = InitKind::HeNormal;
    s
}

fn images(kind: DatasetKind, points: u32, layers: Vec<LayerSpec>) -> ModelSpec {
    let mut s = ModelSpec::default();
    s.data = DataSpec { kind, points, noise: 0, train_percent: 80 };
    s.layers = layers;
    s.loss = LossKind::SoftmaxCrossEntropy;
    s.optimizer = OptimizerSpec { kind: OptimKind::Adam, lr: 0.01, ..s.optimizer };
    s.batch_size = 32;
    s.seed = 1;
    s
}

fn softmax_digits() -> ModelSpec {
    images(DatasetKind::Digits, 1000, vec![LayerSpec::Flatten, LayerSpec::Dense { units: 32, activation: Activation::Relu }])
}

fn cnn_digits() -> ModelSpec {
    images(
        DatasetKind::Digits,
        1000,
        vec![
            LayerSpec::Conv2d { filters: 8, kernel: 3, stride: 1, padding: 1, activation: Activation::Relu },
            LayerSpec::MaxPool2d { kernel: 2, stride: 2 },
            LayerSpec::Flatten,
        ],
    )
}

fn dense_digits(s: &ModelSpec) -> ModelSpec {
    let mut s = s.clone();
    s.layers = vec![LayerSpec::Flatten, LayerSpec::Dense { units: 32, activation: Activation::Relu }];
    s
}

fn to_shapes(s: &ModelSpec) -> ModelSpec {
    let mut s = s.clone();
    s.data.kind = DatasetKind::Shapes;
    s.data.points = s.data.points.min(800);
    s
}

fn memory_rnn() -> ModelSpec {
    let mut s = ModelSpec::default();
    s.data = DataSpec { kind: DatasetKind::Memory, points: 800, noise: 0, train_percent: 80 };
    s.layers = vec![LayerSpec::Rnn { hidden: 12, return_sequences: false }];
    s.loss = LossKind::SoftmaxCrossEntropy;
    s.optimizer = OptimizerSpec { kind: OptimKind::Adam, lr: 0.02, ..s.optimizer };
    s.batch_size = 16;
    s.seed = 1;
    s
}

/// Every recurrent layer becomes an LSTM of the same size.
fn to_lstm(s: &ModelSpec) -> ModelSpec {
    let mut s = s.clone();
    for l in &mut s.layers {
        if let LayerSpec::Rnn { hidden, return_sequences } | LayerSpec::Gru { hidden, return_sequences } = *l {
            *l = LayerSpec::Lstm { hidden, return_sequences };
        }
    }
    s
}

/// Every dense hidden layer gets `act` (other layers are left alone).
/// `s` with every dense layer's activation set to `act` (the lessons' and the side-by-side
/// runs' "change the activation").
pub fn with_activation(s: &ModelSpec, act: Activation) -> ModelSpec {
    let mut s = s.clone();
    for l in &mut s.layers {
        if let LayerSpec::Dense { activation, .. } = l {
            *activation = act;
        }
    }
    s
}

fn all_tanh(s: &ModelSpec) -> ModelSpec {
    with_activation(s, Activation::Tanh)
}

fn all_sigmoid(s: &ModelSpec) -> ModelSpec {
    with_activation(s, Activation::Sigmoid)
}

fn all_relu(s: &ModelSpec) -> ModelSpec {
    with_activation(s, Activation::Relu)
}

fn all_leaky(s: &ModelSpec) -> ModelSpec {
    with_activation(s, Activation::LeakyRelu { alpha: 0.01 })
}
