//! Run controls (play, pause, step, reset), the hyper-parameters, and the live numbers.

use engine::loss::LossKind;
use engine::optim::OptimKind;
use engine::spec::RegKind;
use leptos::prelude::*;

use crate::i18n::{Lang, tr};
use crate::lab::{DevicePref, Lab, Speed};

/// The learning rates offered (TensorFlow Playground's), here and for experiment B.
pub(crate) const LEARNING_RATES: [f32; 11] = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0];
const BATCH_SIZES: [u32; 9] = [1, 5, 10, 16, 32, 64, 128, 256, 512];
const REG_RATES: [f32; 9] = [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0];

/// Play, pause, step and reset, with the epoch counter and speed.
#[component]
pub fn RunBar(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    // ❚❚ rather than ⏸: U+23F8 is an emoji, and without an emoji font (many Linux desktops,
    // headless Chromium) it shows as an empty box.
    let label = move || match (lab.playing.get(), lang.get()) {
        (true, Lang::En) => "❚❚ Pause",
        (true, Lang::Ko) => "❚❚ Pause 일시정지",
        (false, Lang::En) => "▶ Play",
        (false, Lang::Ko) => "▶ Play 재생",
    };
    let fmt = |v: Option<f32>| v.map(|v| format!("{v:.4}")).unwrap_or_else(|| "–".into());
    view! {
        <section class="runbar" aria-label="run controls">
            <button class="primary" data-testid="play" on:click=move |_| lab.playing.update(|p| *p = !*p)>{label}</button>
            <button data-testid="step" on:click=move |_| { lab.playing.set(false); lab.step_requests.update(|n| *n += 1) }>
                {move || tr(lang.get(), "Step (1 epoch)", "한 에폭 진행")}</button>
            <button data-testid="reset" on:click=move |_| { lab.playing.set(false); lab.resets.update(|n| *n += 1) }>
                {move || tr(lang.get(), "Reset", "초기화")}</button>
            <button data-testid="new-experiment" title=move || tr(lang.get(),
                    "Forget the experiment this browser saved and start from the default one",
                    "이 브라우저에 저장된 실험을 지우고 기본 실험으로 새로 시작")
                on:click=move |_| {
                    crate::persist::clear();
                    lab.playing.set(false);
                    lab.spec.set(engine::spec::ModelSpec::default());
                    lab.resets.update(|n| *n += 1);
                    lab.notice.set(None);
                }>
                {move || tr(lang.get(), "New experiment", "새 실험")}</button>
            {choice("speed", move || tr(lang.get(), "Speed", "속도"),
                vec![(Speed::Paced, "1 epoch / frame".into()), (Speed::Full, "Full speed".into())],
                move || lab.speed.get(), move |v| lab.speed.set(v))}
            <div class="numbers">
                <div><span>{move || tr(lang.get(), "Epoch", "에폭")}</span>
                    <b data-testid="epoch">{move || lab.latest.get().map(|m| m.epoch).unwrap_or(0)}</b></div>
                <div><span>{move || tr(lang.get(), "Train loss", "학습 손실")}</span>
                    <b data-testid="train-loss">{move || fmt(lab.latest.get().map(|m| m.train_loss))}</b></div>
                <div><span>{move || tr(lang.get(), "Test loss", "테스트 손실")}</span>
                    <b data-testid="test-loss">{move || fmt(lab.latest.get().map(|m| m.test_loss))}</b></div>
                <div><span>{move || tr(lang.get(), "Test accuracy", "테스트 정확도")}</span>
                    <b data-testid="accuracy">{move || lab.latest.get().and_then(|m| m.test_accuracy)
                        .map(|a| format!("{:.1}%", a * 100.0)).unwrap_or_else(|| "–".into())}</b></div>
                <div><span>{move || tr(lang.get(), "Steps/s", "초당 스텝")}</span>
                    <b data-testid="steps-per-sec">{move || format!("{:.0}", lab.steps_per_sec.get())}</b></div>
            </div>
        </section>
    }
}

/// A `<select>` over fixed choices, writing the chosen one back through `set`.
fn choice<T: Copy + PartialEq + Send + Sync + 'static>(
    testid: &'static str,
    label: impl Fn() -> &'static str + Send + Sync + Copy + 'static,
    options: Vec<(T, String)>,
    current: impl Fn() -> T + Send + Sync + Copy + 'static,
    set: impl Fn(T) + Copy + 'static,
) -> impl IntoView {
    let values: Vec<T> = options.iter().map(|o| o.0).collect();
    let opts = options
        .into_iter()
        .enumerate()
        .map(|(i, (v, name))| view! { <option value=i.to_string() selected=move || current() == v>{name}</option> })
        .collect_view();
    view! {
        <label class="field">
            <span>{label}</span>
            <select data-testid=testid on:change=move |ev| {
                if let Some(v) = event_target_value(&ev).parse::<usize>().ok().and_then(|i| values.get(i)) {
                    set(*v)
                }
            }>{opts}</select>
        </label>
    }
}

/// Learning rate, batch size, optimizer, loss, regularisation, seed and device.
#[component]
pub fn Hyperparameters(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let s = lab.spec;
    let regression = move || s.with(|s| s.data.kind.is_regression());
    let losses = move || {
        let mut l = vec![(LossKind::Mse, "MSE".to_string())];
        if !regression() {
            l.push((LossKind::SigmoidBce, "Sigmoid cross-entropy".into()));
            l.push((LossKind::SoftmaxCrossEntropy, "Softmax cross-entropy".into()));
        }
        l
    };
    view! {
        <section class="panel hyper" aria-labelledby="hyper-h">
            <h2 id="hyper-h">{move || tr(lang.get(), "Training", "학습 설정")}</h2>
            {choice("lr", move || tr(lang.get(), "Learning rate", "학습률"),
                LEARNING_RATES.iter().map(|&v| (v, v.to_string())).collect(),
                move || s.with(|s| s.optimizer.lr), move |v| lab.edit(|s| s.optimizer.lr = v))}
            {choice("batch", move || tr(lang.get(), "Batch size", "배치 크기"),
                BATCH_SIZES.iter().map(|&v| (v, v.to_string())).collect(),
                move || s.with(|s| s.batch_size), move |v| lab.edit(|s| s.batch_size = v))}
            {choice("optimizer", move || tr(lang.get(), "Optimizer", "옵티마이저"),
                vec![(OptimKind::Sgd, "SGD".into()), (OptimKind::Momentum, "Momentum".into()), (OptimKind::Adam, "Adam".into())],
                move || s.with(|s| s.optimizer.kind), move |v| lab.edit(|s| s.optimizer.kind = v))}
            {move || choice("loss", move || tr(lang.get(), "Loss", "손실 함수"), losses(),
                move || s.with(|s| s.loss), move |v| lab.edit(|s| s.loss = v))}
            {choice("regularization", move || tr(lang.get(), "Regularization", "정규화"),
                vec![(RegKind::None, "None".into()), (RegKind::L1, "L1".into()), (RegKind::L2, "L2".into())],
                move || s.with(|s| s.regularization.kind), move |v| lab.edit(|s| s.regularization.kind = v))}
            {choice("reg-rate", move || tr(lang.get(), "Regularization rate", "정규화 비율"),
                REG_RATES.iter().map(|&v| (v, v.to_string())).collect(),
                move || s.with(|s| s.regularization.rate), move |v| lab.edit(|s| s.regularization.rate = v))}
            <label class="field">
                <span>{move || tr(lang.get(), "Seed", "시드")}</span>
                <input type="number" min="0" max="4294967295" data-testid="seed"
                    prop:value=move || s.with(|s| s.seed.to_string())
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<u32>() { lab.edit(|s| s.seed = v) }
                    } />
            </label>
            {choice("device-select", move || tr(lang.get(), "Device", "연산 장치"),
                vec![(DevicePref::Auto, "Auto".into()), (DevicePref::Gpu, "WebGPU".into()), (DevicePref::Cpu, "CPU".into())],
                move || lab.device_pref.get(), move |v| lab.device_pref.set(v))}
        </section>
    }
}
