//! The training loop. One task owns the session and runs in turns (in the trainer's worker, one
//! after another with its messages let in between; on the page, one per animation frame): it
//! rebuilds the session when the spec, the device or a reset asks for it, trains as many steps
//! as fit in a turn's budget (so that a Pause is answered at once), reads the metrics back
//! asynchronously, and refreshes the pictures. It reads and writes the trainer's [`Lab`], which
//! `host.rs` and `link.rs` keep in step with the page's; panels never touch the session.

use engine::backend::gpu::GpuBackend;
use engine::data::DatasetKind;
use engine::spec::ModelSpec;
use engine::train::Snapshot;
use leptos::prelude::*;

use crate::calibrate;
use crate::host::{Host, now_ms};
use crate::lab::{DevicePref, Grid, ImagePictures, Lab, Pictures, SequencePictures, Speed};
use crate::persist::Saved;
use crate::session::{Device, Session};
use crate::wire::Role;

/// Milliseconds of training work aimed at per turn: well under one 16 ms frame.
const FRAME_BUDGET_MS: f64 = 10.0;
/// Least time between two points of a playing run's curves.
const CURVE_POINT_MS: f64 = 50.0;

thread_local! {
    /// When the last curve point was added.
    static LAST_CURVE_POINT: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// How long a failed read on the GPU waits for the device-lost callback before it counts as an
/// error: up to `LOST_WAITS` times `LOST_WAIT_MS`.
const LOST_WAITS: u32 = 20;
const LOST_WAIT_MS: i32 = 10;

/// Most Step presses one frame catches up on (each trains an epoch).
const MAX_EPOCHS_PER_FRAME: u32 = 16;
/// Most steps recorded in one frame.
const MAX_STEPS_PER_FRAME: u32 = 4096;
/// The input plane drawn by the pictures, as in TensorFlow Playground.
pub const DOMAIN: f64 = 6.0;
const GRID: usize = 50;
const THUMB: usize = 20;
/// Curves keep at most this many points; older ones are thinned.
const MAX_HISTORY: usize = 600;

/// Saves the experiment at most this often while it changes (and whenever the page is hidden).
const SAVE_EVERY_MS: f64 = 2000.0;

/// Starts the loop on `host`'s lab. `gpu` is the WebGPU backend when the browser has a working
/// one, and whether its adapter is a software one. `saved` is the experiment this browser kept,
/// to continue when its spec is the one the page opened with.
pub fn start(host: Host, gpu: Option<(GpuBackend, bool)>, saved: Option<Saved>) {
    wasm_bindgen_futures::spawn_local(run(host, gpu, saved));
}

/// When the experiment was last written to the browser's storage, and whether it changed since.
struct Saver {
    at: f64,
    dirty: bool,
}

impl Saver {
    fn due(&self, hidden: bool) -> bool {
        self.dirty && (hidden || now_ms() - self.at >= SAVE_EVERY_MS)
    }

    async fn save(&mut self, host: &Host, s: &mut Session) {
        let lab = host.lab();
        self.at = now_ms();
        self.dirty = false;
        // The curves take a point at most every CURVE_POINT_MS: add the latest before saving.
        if let Some(m) = lab.latest.get_untracked() {
            if lab.history.with_untracked(|h| h.last().is_none_or(|p| p.1.step < m.step)) {
                push_history(lab.history, m.step as f64 / s.steps_per_epoch() as f64, m);
            }
        }
        let saved = Saved {
            spec: s.spec().clone(),
            snapshot: s.snapshot().await.ok(),
            history: lab.history.get_untracked(),
        };
        host.save(&saved);
    }
}

async fn run(host: Host, gpu: Option<(GpuBackend, bool)>, mut saved: Option<Saved>) {
    let lab = host.lab();
    let software = gpu.as_ref().is_some_and(|g| g.1);
    let mut gpu = gpu.map(|g| g.0);
    let mut session: Option<Session> = None;
    let mut built: Option<(ModelSpec, bool, u32)> = None;
    let mut built_once = false;
    let mut gpu_lost = false;
    // The GPU session's last state read back, to continue from on the CPU if the device is lost.
    let mut last_gpu_state: Option<Snapshot> = None;
    let mut saver = Saver { at: now_ms(), dirty: false };
    let mut steps_per_frame: u32 = 1;
    let mut seen_steps = lab.step_requests.get_untracked();
    let mut seen_exports = lab.export_requests.get_untracked();
    let mut seen_sweeps = lab.sweep_requests.get_untracked();
    let mut frame: u64 = 0;
    let mut rate = RateMeter::default();
    let mut cadence = Cadence::new(host.in_worker());
    let mut motion = Motion::default();
    loop {
        host.tick().await;
        if host.closed() {
            return;
        }
        frame += 1;
        let hidden = host.hidden();
        if let Some(s) = session.as_mut() {
            if saver.due(hidden) {
                saver.save(&host, s).await;
            }
            if s.gpu_lost() {
                session = continue_on_cpu(&lab, s, last_gpu_state.take());
                gpu = None;
                gpu_lost = true;
                built = Some((lab.spec.get_untracked(), false, lab.resets.get_untracked()));
                lab.device.set(device_line(lab.device_pref.get_untracked(), false, software, gpu_lost, session.as_ref(), None));
                continue;
            }
        }
        if hidden {
            // Animation frames stop in a hidden tab, and so does training, as in any playground.
            continue;
        }
        let spec = lab.spec.get_untracked();
        let have_gpu = gpu.is_some() || matches!(session, Some(Session::Gpu(_)));
        let pref = lab.device_pref.get_untracked();
        if have_gpu && pref == DevicePref::Auto && calibrate::cached(&spec).is_none() && spec.validate().is_ok() {
            // The automatic choice measures this model's shape once: the GPU comes back from the
            // session (rebuilt below, as it would be for a new shape anyway).
            if let Some(old) = session.take() {
                if let Device::Gpu(b) = old.into_device() {
                    gpu = Some(b);
                }
                built = None;
            }
            if let Some(g) = gpu.take() {
                lab.device.set(("Measuring the CPU and WebGPU on this network…".into(), "이 신경망으로 CPU와 WebGPU를 재는 중…".into()));
                let (rates, back) = measure_devices(&host, &spec, g).await;
                gpu = back;
                // A failed measurement counts as the CPU winning: the GPU path did not work.
                calibrate::remember(&spec, rates.unwrap_or(calibrate::Rates { cpu: 1.0, gpu: 0.0 }));
            }
            continue;
        }
        let rates = calibrate::cached(&spec);
        let want_gpu = have_gpu
            && match pref {
                DevicePref::Auto => rates.is_some_and(|r| r.gpu_wins()),
                DevicePref::Gpu => true,
                DevicePref::Cpu => false,
            };
        let key = (spec.clone(), want_gpu, lab.resets.get_untracked());
        if built.as_ref() != Some(&key) {
            let reset = built.as_ref().is_some_and(|b| b.2 != key.2);
            built = Some(key);
            if let Some(old) = session.take() {
                if let Device::Gpu(b) = old.into_device() {
                    gpu = Some(b);
                }
            }
            last_gpu_state = None;
            let first = !std::mem::replace(&mut built_once, true);
            session = build(&lab, &spec, want_gpu, &mut gpu);
            // A fresh session clears the last run's message, but not the one the page opened with
            // (a broken link's problems), which stays until the learner changes something.
            if session.is_some() && !first {
                lab.notice.set(None);
            }
            match (session.as_mut(), saved.take()) {
                (Some(s), Some(kept)) if first && !reset && kept.spec == spec => resume(&lab, s, kept),
                _ => (),
            };
            if let (Some(s), Some(model)) = (session.as_mut(), lab.import.get_untracked()) {
                if model.spec == spec {
                    lab.import.set(None);
                    lab.notice.set(Some(match s.load_parameters(&model.layers) {
                        Ok(()) => format!(
                            "Imported a model of {} parameters, trained for {} epochs; press Play to train it further.",
                            model.parameter_count(),
                            model.epoch
                        ),
                        Err(e) => format!("The model's weights could not be loaded ({e}); its settings are open, untrained."),
                    }));
                }
            }
            // Only training makes something worth keeping: a fresh, untrained session is its link.
            saver.dirty = false;
            lab.device.set(device_line(pref, have_gpu, software, gpu_lost, session.as_ref(), rates));
            if let Some(s) = session.as_mut() {
                if let Err(e) = refresh(&host, s, true, true).await {
                    stop(&lab, e);
                }
            }
            continue;
        }
        let sweeps = lab.sweep_requests.get_untracked();
        if sweeps != seen_sweeps {
            seen_sweeps = sweeps;
            lab.playing.set(false);
            // The measurement needs the GPU: a session holding it is rebuilt afterwards.
            if matches!(session, Some(Session::Gpu(_))) {
                if let Some(Device::Gpu(g)) = session.take().map(Session::into_device) {
                    gpu = Some(g);
                }
                built = None;
            }
            sweep(&host, &mut gpu, software).await;
            continue;
        }
        let Some(s) = session.as_mut() else { continue };

        // Weights and biases the learner typed on the graph: written into the session as it is
        // now, and shown at once.
        let edits = lab.edits.get_untracked();
        if !edits.is_empty() {
            lab.edits.set(Vec::new());
            if let Err(e) = apply_edits(s, &edits).await {
                lab.notice
                    .set(Some(format!("The value could not be set: {e}")));
            }
            saver.dirty = true;
            if let Err(e) = refresh(&host, s, true, true).await {
                stop(&lab, e);
            }
            continue;
        }

        let exports = lab.export_requests.get_untracked();
        if exports != seen_exports {
            seen_exports = exports;
            match s.model_file().await {
                Ok(model) => host.download("dl101-model.json", model.to_json()),
                Err(e) => lab.notice.set(Some(format!("The model could not be exported: {e}"))),
            }
        }

        let requested = lab.step_requests.get_untracked();
        let steps = if lab.playing.get_untracked() {
            match lab.speed.get_untracked() {
                Speed::Paced => steps_per_frame.min(s.steps_per_epoch()),
                Speed::Full => steps_per_frame,
            }
        } else if requested != seen_steps {
            // One epoch per press, also for presses that came while the session was being built
            // or measured.
            let presses = requested.wrapping_sub(seen_steps).min(MAX_EPOCHS_PER_FRAME);
            seen_steps = requested;
            s.steps_per_epoch().saturating_mul(presses)
        } else {
            continue;
        };
        let started = now_ms();
        saver.dirty = true;
        let on_gpu = matches!(s, Session::Gpu(_));
        let (metrics_due, pictures_due) = if lab.playing.get_untracked() { cadence.due(frame, started, host.ready(), on_gpu) } else { (true, true) };
        let pictures_due = pictures_due && (!lab.playing.get_untracked() || motion.allows(now_ms(), host.reduced_motion()));
        let stepped = s.step(steps);
        host.trained();
        let step_ms = now_ms() - started;
        let result = match stepped {
            Ok(()) => refresh(&host, s, metrics_due, pictures_due).await,
            Err(e) => Err(e),
        };
        if let Ok((metrics_ms, pictures_ms)) = result {
            cadence.learn(on_gpu, now_ms(), metrics_ms, pictures_ms);
        }
        if let Err(e) = result.map(|_| ()) {
            // A lost device shows up first as a failed read; its callback may come a moment later.
            if matches!(s, Session::Gpu(_)) {
                for _ in 0..LOST_WAITS {
                    host.sleep(LOST_WAIT_MS).await;
                    if s.gpu_lost() {
                        break;
                    }
                }
                if s.gpu_lost() {
                    continue;
                }
            }
            stop(&lab, e);
            continue;
        }
        if matches!(s, Session::Gpu(_)) {
            if let Ok(state) = s.snapshot().await {
                last_gpu_state = Some(state);
            }
        }
        // On the GPU the work runs while the readback is awaited: pace by the whole frame.
        let measured = if matches!(s, Session::Gpu(_)) { now_ms() - started } else { step_ms };
        steps_per_frame = next_steps_per_frame(steps, measured);
        lab.steps_per_sec.set(rate.add(steps, started));
    }
}

/// Pictures redraw at most once a second while playing for a learner who asked their system
/// for reduced motion (`prefers-reduced-motion: reduce`); the numbers still update every frame.
const REDUCED_MOTION_MS: f64 = 1000.0;

struct Motion {
    last: f64,
}

impl Default for Motion {
    fn default() -> Motion {
        Motion { last: f64::NEG_INFINITY }
    }
}

impl Motion {
    /// Whether pictures may be redrawn now (`reduced` is read each time: the setting can change
    /// while the page is open).
    fn allows(&mut self, now: f64, reduced: bool) -> bool {
        if !reduced {
            return true;
        }
        if now - self.last < REDUCED_MOTION_MS {
            return false;
        }
        self.last = now;
        true
    }
}

/// How many steps the next frame records: as many as fit the frame budget at the rate the last
/// ones ran, growing at most twofold per frame so that a rate measured on a few steps cannot
/// overshoot. On the CPU the steps are what blocks the page; on the GPU the caller passes the
/// whole frame, readback included, since the work happens while that is awaited.
fn next_steps_per_frame(steps: u32, step_ms: f64) -> u32 {
    let per_step = (step_ms / steps.max(1) as f64).max(1e-4);
    let fit = (FRAME_BUDGET_MS / per_step) as u32;
    fit.clamp(1, steps.saturating_mul(2).clamp(2, MAX_STEPS_PER_FRAME))
}

/// Pauses and shows what went wrong.
fn stop(lab: &Lab, e: engine::EngineError) {
    lab.playing.set(false);
    lab.notice.set(Some(e.to_string()));
}

/// Continues the page's saved experiment in a freshly built session: its weights and position,
/// and its curves.
fn resume(lab: &Lab, s: &mut Session, kept: Saved) {
    let restored = match &kept.snapshot {
        Some(state) => match s.restore(state) {
            Ok(()) => Ok(state.epoch),
            Err(e) => Err(e.to_string()),
        },
        None => Err("it was too large to store".into()),
    };
    lab.history.set(kept.history);
    lab.notice.set(Some(match &restored {
        Ok(epoch) => format!("Restored your experiment from this browser, at epoch {epoch}. \"New experiment\" starts afresh."),
        Err(why) => format!("Restored your experiment's settings and curves from this browser, but not its weights ({why}): training starts again."),
    }));
}

/// The GPU device is gone: the same experiment continues on the CPU from the last state read
/// back (the weights, optimizer state and epoch), keeping the curves.
fn continue_on_cpu(lab: &Lab, lost: &Session, state: Option<Snapshot>) -> Option<Session> {
    let spec = lost.spec().clone();
    let mut cpu = match Session::new(Device::Cpu, &spec) {
        Ok(s) => s,
        Err(e) => {
            stop(lab, e);
            return None;
        }
    };
    let from = match state.as_ref().map(|st| cpu.restore(st).map(|()| st.epoch)) {
        Some(Ok(epoch)) => format!("from epoch {epoch}, with the same weights"),
        Some(Err(e)) => {
            lab.history.set(Vec::new());
            format!("from the start (the last weights could not be moved: {e})")
        }
        None => {
            lab.history.set(Vec::new());
            "from the start (no weights had been read back yet)".into()
        }
    };
    lab.notice.set(Some(format!("The GPU device was lost; training continues on the CPU {from}.")));
    Some(cpu)
}

/// A new session for `spec`, on the GPU when asked and available.
fn build(lab: &Lab, spec: &ModelSpec, want_gpu: bool, gpu: &mut Option<GpuBackend>) -> Option<Session> {
    lab.history.set(Vec::new());
    lab.latest.set(None);
    lab.pictures.set(Pictures::default());
    lab.weights.set(Vec::new());
    lab.diagnostics.set(None);
    // The big outputs are sent when this counter moves (`host.rs`): the cleared pictures too.
    lab.picture_updates.update(|n| *n += 1);
    if let Err(e) = spec.validate() {
        lab.playing.set(false);
        lab.notice.set(Some(e.to_string()));
        return None;
    }
    let device = match (want_gpu, gpu.take()) {
        (true, Some(b)) => Device::Gpu(b),
        (_, other) => {
            *gpu = other;
            Device::Cpu
        }
    };
    match Session::new(device, spec) {
        Ok(s) => {
            lab.points.set(s.points());
            lab.picture_updates.update(|n| *n += 1);
            Some(s)
        }
        Err(e) => {
            lab.playing.set(false);
            lab.notice.set(Some(e.to_string()));
            None
        }
    }
}

/// The automatic choice's figures: [`calibrate::CALIBRATION_MS`] of steps on each device, in
/// blocks of a few milliseconds with a frame between them. Gives the GPU back (unless building a
/// trainer on it failed, which leaves the page on the CPU).
async fn measure_devices(host: &Host, spec: &ModelSpec, gpu: GpuBackend) -> (engine::Result<calibrate::Rates>, Option<GpuBackend>) {
    let block = 4.0;
    let (cpu, _) = calibrate::steps_per_sec(engine::backend::cpu::CpuBackend::new(), spec, calibrate::CALIBRATION_MS, block, now_ms, || host.pause()).await;
    let (on_gpu, back) = calibrate::steps_per_sec(gpu, spec, calibrate::CALIBRATION_MS, block, now_ms, || host.pause()).await;
    (cpu.and_then(|cpu| on_gpu.map(|gpu| calibrate::Rates { cpu, gpu })), back)
}

/// Work per device and width in the GPU lesson's measurement, in milliseconds.
const SWEEP_MS: f64 = 300.0;

/// The GPU lesson's measurement: the lesson's network at each width, [`SWEEP_MS`] of training on
/// the CPU and as much on WebGPU, published row by row. Blocks of at most a frame's budget with a
/// frame between them keep the page responsive throughout.
async fn sweep(host: &Host, gpu: &mut Option<GpuBackend>, software: bool) {
    let lab = host.lab();
    let mut found = crate::lab::Sweep { software, ..Default::default() };
    lab.sweep.set(Some(found.clone()));
    for width in engine::lessons::GPU_LESSON_WIDTHS {
        let spec = engine::lessons::spiral_at_width(width);
        let (cpu, _) = calibrate::steps_per_sec(engine::backend::cpu::CpuBackend::new(), &spec, SWEEP_MS, FRAME_BUDGET_MS, now_ms, || host.pause()).await;
        let on_gpu = match gpu.take() {
            Some(g) => {
                let (r, back) = calibrate::steps_per_sec(g, &spec, SWEEP_MS, FRAME_BUDGET_MS, now_ms, || host.pause()).await;
                *gpu = back;
                r.ok()
            }
            None => None,
        };
        match cpu {
            Ok(cpu) => found.rows.push((width, cpu, on_gpu)),
            Err(e) => {
                lab.notice.set(Some(format!("The measurement stopped at width {width}: {e}")));
                break;
            }
        }
        lab.sweep.set(Some(found.clone()));
    }
    found.done = true;
    lab.sweep.set(Some(found));
}

/// Steps per second as the page writes them: "12,300".
pub fn rate_text(r: f64) -> String {
    let digits = format!("{:.0}", r.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Which device trains, and why: the automatic choice gives the figures it measured. English and
/// Korean.
fn device_line(pref: DevicePref, have_gpu: bool, software: bool, lost: bool, session: Option<&Session>, rates: Option<calibrate::Rates>) -> (String, String) {
    let measured = rates.filter(|_| pref == DevicePref::Auto && have_gpu);
    let (sw_en, sw_ko) = if software { (", a software renderer", ", 소프트웨어 렌더러") } else { ("", "") };
    match (session, measured) {
        (Some(Session::Gpu(_)), Some(r)) => (
            format!("Training on WebGPU (auto: measured here, WebGPU {} steps/s, the CPU {}{sw_en})", rate_text(r.gpu), rate_text(r.cpu)),
            format!("WebGPU에서 학습 중 (자동: 여기서 측정한 결과 WebGPU 초당 {} 스텝, CPU 초당 {} 스텝{sw_ko})", rate_text(r.gpu), rate_text(r.cpu)),
        ),
        (Some(Session::Gpu(_)), None) => ("Training on WebGPU".into(), "WebGPU에서 학습 중".into()),
        (Some(Session::Cpu(_)), _) if lost => ("Training on the CPU (the GPU device was lost)".into(), "CPU에서 학습 중 (GPU 장치를 잃어버림)".into()),
        (Some(Session::Cpu(_)), _) if pref == DevicePref::Cpu => ("Training on the CPU (chosen)".into(), "CPU에서 학습 중 (직접 선택)".into()),
        (Some(Session::Cpu(_)), Some(r)) => (
            format!("Training on the CPU (auto: measured here, the CPU {} steps/s, WebGPU {}{sw_en})", rate_text(r.cpu), rate_text(r.gpu)),
            format!("CPU에서 학습 중 (자동: 여기서 측정한 결과 CPU 초당 {} 스텝, WebGPU 초당 {} 스텝{sw_ko})", rate_text(r.cpu), rate_text(r.gpu)),
        ),
        (Some(Session::Cpu(_)), None) if have_gpu => ("Training on the CPU".into(), "CPU에서 학습 중".into()),
        (Some(Session::Cpu(_)), None) => ("Training on the CPU (no usable WebGPU)".into(), "CPU에서 학습 중 (사용할 수 있는 WebGPU 없음)".into()),
        (None, _) => (String::new(), String::new()),
    }
}

/// Reads the metrics and redraws the pictures, each when asked; returns the milliseconds each
/// took (for [`Cadence`]).
async fn refresh(host: &Host, s: &mut Session, metrics: bool, pictures: bool) -> engine::Result<(Option<f64>, Option<f64>)> {
    let lab = &host.lab();
    let started = now_ms();
    let metrics_ms = if metrics {
        if read_metrics(lab, s).await? {
            return Ok((Some(now_ms() - started), None));
        }
        Some(now_ms() - started)
    } else {
        None
    };
    let started = now_ms();
    if pictures {
        if host.role() == Role::B {
            // The page shows only B's output over the plane.
            if s.spec().data.kind.is_points() {
                lab.pictures.set(Pictures { grid: GRID, output: plane_output(s).await?, ..Default::default() });
                lab.picture_updates.update(|n| *n += 1);
            }
        } else {
            draw_pictures(lab, s).await;
        }
    }
    Ok((metrics_ms, pictures.then(|| now_ms() - started)))
}

/// Publishes the metrics; true when training diverged (and has been paused, with advice).
async fn read_metrics(lab: &Lab, s: &mut Session) -> engine::Result<bool> {
    let m = s.metrics().await?;
    let x = m.step as f64 / s.steps_per_epoch() as f64;
    let diverged = m.diverged();
    // The curves redraw on every new point: at most about 20 a second is plenty to watch.
    let last_x = lab.history.with_untracked(|h| h.last().map(|p| p.0));
    let drawn_recently = now_ms() - LAST_CURVE_POINT.with(std::cell::Cell::get) < CURVE_POINT_MS;
    if !(drawn_recently && lab.playing.get_untracked() && !diverged && last_x.is_some()) {
        LAST_CURVE_POINT.with(|t| t.set(now_ms()));
        push_history(lab.history, x, m);
    }
    lab.latest.set(Some(m));
    if diverged {
        lab.playing.set(false);
        let lr = lab.spec.with_untracked(|s| s.optimizer.lr);
        lab.notice.set(Some(format!(
            "Training diverged at epoch {}: the loss became NaN or infinite. Try a lower learning rate \
             (now {lr}) or another activation, then press Reset.",
            m.epoch
        )));
    }
    Ok(diverged)
}

/// Redraws what training shows besides the curves, and the diagnostics.
async fn draw_pictures(lab: &Lab, s: &mut Session) {
    {
        let kind = lab.spec.with_untracked(|s| s.data.kind);
        let result = if kind.is_points() {
            pictures_of(lab, s).await
        } else if matches!(kind, DatasetKind::Digits | DatasetKind::Shapes) {
            image_pictures(s).await.map(|p| Pictures { images: Some(p), ..Default::default() })
        } else {
            sequence_pictures(s).await.map(|p| Pictures { sequence: Some(p), ..Default::default() })
        };
        if let Ok(p) = result {
            lab.pictures.set(p);
            lab.picture_updates.update(|n| *n += 1);
        }
        if let Ok(d) = s.diagnostics().await {
            lab.diagnostics.set(Some(d));
        }
    }
}

/// How often a playing run reads its metrics and redraws its pictures. On the CPU these take time
/// from training like the steps do, and on a big network or data set (an LSTM over a thousand
/// windows) a metrics pass alone can take longer than a frame. On the GPU the readback is what
/// paces the submitted work, so metrics are read every turn there.
enum Cadence {
    /// On the page, in frames: each keeps to a small share of a frame (metrics 4 ms, pictures
    /// 2 ms), so that the page stays responsive.
    Frames { metrics_every: u64, pictures_every: u64 },
    /// In a worker, by the clock: only when the page has drawn the last update (anything sooner
    /// would not be shown), each at most one [`SHARE`]th of the time, and pictures at most
    /// [`PICTURES_PER_SEC`] a second.
    Clock { metrics_at: f64, pictures_at: f64 },
}

/// In a worker, metrics and pictures each take at most 1/SHARE of the time: an LSTM over a
/// thousand windows, whose metrics pass and pictures take milliseconds, then still trains 95% of
/// the time (curves get a point less often).
const SHARE: f64 = 40.0;

/// Most pictures a second from a worker. Each costs the page a redraw of the boundary, every
/// neuron's picture and every weight's line, and on a two-core machine that time comes out of
/// training (the page's thread shares the cores with the workers): at 20 a second the page's
/// thread was busy 37% of the time while a 64-64-64 network trained, at 10 a second 24%, and the
/// page's steps/s rose from 87% to 95% of the engine's. The numbers and curves still move every
/// frame.
const PICTURES_PER_SEC: f64 = 10.0;

impl Cadence {
    fn new(worker: bool) -> Cadence {
        if worker { Cadence::Clock { metrics_at: 0.0, pictures_at: 0.0 } } else { Cadence::Frames { metrics_every: 1, pictures_every: 6 } }
    }

    /// Whether metrics and pictures are due at `frame` (turn) and time `now`, the page having
    /// drawn the last update or not (`ready`). On the page, pictures are offset from metrics so
    /// that the two costs rarely land on one frame.
    fn due(&self, frame: u64, now: f64, ready: bool, gpu: bool) -> (bool, bool) {
        match *self {
            Cadence::Frames { metrics_every, pictures_every } => (frame % metrics_every == 0, (frame + pictures_every / 2) % pictures_every == 0),
            Cadence::Clock { metrics_at, pictures_at } => (gpu || (ready && now >= metrics_at), ready && now >= pictures_at),
        }
    }

    /// What metrics and pictures cost when they were last done (at `now`).
    fn learn(&mut self, gpu: bool, now: f64, metrics_ms: Option<f64>, pictures_ms: Option<f64>) {
        match self {
            Cadence::Frames { metrics_every, pictures_every } => {
                if let Some(ms) = metrics_ms {
                    *metrics_every = if gpu { 1 } else { ((ms / 4.0).ceil() as u64).clamp(1, 20) };
                }
                if let Some(ms) = pictures_ms {
                    *pictures_every = ((ms / 2.0).ceil() as u64).clamp(6, 60);
                }
            }
            Cadence::Clock { metrics_at, pictures_at } => {
                if let Some(ms) = metrics_ms {
                    *metrics_at = now + (SHARE - 1.0) * ms;
                }
                if let Some(ms) = pictures_ms {
                    *pictures_at = now + ((SHARE - 1.0) * ms).max(1000.0 / PICTURES_PER_SEC);
                }
            }
        }
    }
}

/// Adds a point to a curve, thinning old points so that it stays cheap to draw.
pub(crate) fn push_history(history: RwSignal<Vec<(f64, engine::train::Metrics)>>, x: f64, m: engine::train::Metrics) {
    history.update(|h| {
        // One allocation for the curve's life, rather than a doubling now and then (a long run's
        // memory settles sooner).
        if h.capacity() <= MAX_HISTORY {
            h.reserve_exact(MAX_HISTORY + 1 - h.len());
        }
        h.push((x, m));
        if h.len() > MAX_HISTORY {
            // Keep every other point: the curve keeps its shape at half the cost.
            let mut i = 0;
            h.retain(|_| {
                i += 1;
                i % 2 == 1
            });
        }
    });
}

/// The network's answer over the plane, one number per cell of a GRID×GRID grid: class colours
/// in [-1, 1] (positive class high), or the value for regression.
pub(crate) async fn plane_output(s: &mut Session) -> engine::Result<Vec<f32>> {
    let spec = s.spec().clone();
    let out = s.predict(&grid(GRID)).await?;
    let width = out.len() / (GRID * GRID).max(1);
    let output = match (width, spec.output().presented) {
        (1, engine::activation::Activation::Sigmoid) => out.iter().map(|p| 2.0 * p - 1.0).collect(),
        (1, _) => out,
        (w, _) => out.chunks(w).map(|p| 2.0 * p[w - 1] - 1.0).collect(),
    };
    Ok(if spec.data.kind.is_regression() { output } else { output.into_iter().map(|v| v.clamp(-1.0, 1.0)).collect() })
}

/// Writes the graph's edits into the session's weights (those that name a number it has).
async fn apply_edits(s: &mut Session, edits: &[(crate::lab::Param, f32)]) -> engine::Result<()> {
    let mut params = s.parameters().await?;
    for &(param, value) in edits {
        crate::views::graph::set_value(&mut params, param, value);
    }
    s.edit_parameters(&params)
}

/// The output over the plane, every neuron's thumbnail, and the weights for the graph.
async fn pictures_of(lab: &Lab, s: &mut Session) -> engine::Result<Pictures> {
    lab.weights.set(s.parameters().await?);
    let output = plane_output(s).await?;
    let layers = s.neuron_outputs(&grid(THUMB)).await?;
    let neurons = layers
        .into_iter()
        .map(|m| {
            let units = m.len() / (THUMB * THUMB).max(1);
            (0..units).map(|u| m.iter().skip(u).step_by(units.max(1)).copied().collect()).collect()
        })
        .collect();
    Ok(Pictures { grid: GRID, output, neurons, thumb: THUMB, ..Default::default() })
}

/// One test image, the first conv layer's filters and the feature maps for that image.
async fn image_pictures(s: &mut Session) -> engine::Result<ImagePictures> {
    let Some((x, label)) = s.test_sample(0) else { return Ok(ImagePictures::default()) };
    let side = (x.len() as f64).sqrt() as usize;
    let input = Grid { width: side, height: side, data: x };
    let predicted = s.test_predictions(0, 1).await?;
    let predicted = argmax(&predicted.predicted);
    let params = s.parameters().await?;
    let filters = params
        .iter()
        .find(|p| p.kind == "conv2d")
        .map(|p| {
            let (o, c, kh, kw) = match p.weight_shape[..] {
                [o, c, kh, kw] => (o, c, kh, kw),
                _ => (0, 0, 0, 0),
            };
            // The first input channel of each filter (the data sets are grey-scale: C = 1).
            (0..o).map(|f| Grid { width: kw, height: kh, data: p.weight[f * c * kh * kw..][..kh * kw].to_vec() }).collect()
        })
        .unwrap_or_default();
    let maps = s
        .feature_maps(0)
        .await?
        .into_iter()
        .map(|m| {
            let [ch, h, w] = m.shape;
            let grids = (0..ch.min(16)).map(|c| Grid { width: w, height: h, data: m.data[c * h * w..][..h * w].to_vec() }).collect();
            (format!("{} {}", m.kind, m.spec_index.map(|i| i + 1).unwrap_or(0)), grids)
        })
        .collect();
    Ok(ImagePictures { input, label, predicted, filters, maps })
}

/// Predictions against the truth over the first stretch of test samples.
async fn sequence_pictures(s: &mut Session) -> engine::Result<SequencePictures> {
    let p = s.test_predictions(0, 80).await?;
    let predicted = if p.width <= 1 {
        p.predicted
    } else {
        p.predicted
            .chunks(p.width)
            .map(|c| c[c.len() - 1])
            .collect()
    };
    // The network unrolled over the first test sample: input steps, then each layer's states,
    // transposed so that time runs left to right and each unit is a row.
    let hidden: Vec<(usize, usize, Grid)> = s
        .hidden_states(0)
        .await?
        .into_iter()
        .map(|h| {
            let units = h.hidden.min(32);
            let data = (0..units)
                .flat_map(|u| (0..h.steps).map(move |t| (t, u)))
                .map(|(t, u)| h.data[t * h.hidden + u])
                .collect();
            (
                h.spec_index.map(|i| i + 1).unwrap_or(0),
                h.hidden,
                Grid {
                    width: h.steps,
                    height: units,
                    data,
                },
            )
        })
        .collect();
    let input = s
        .test_sample(0)
        .map(|(x, _)| {
            let steps = hidden
                .first()
                .map(|h| h.2.width)
                .filter(|&t| t > 0 && x.len() % t == 0)
                .unwrap_or(x.len())
                .max(1);
            let features = x.len() / steps;
            let data = (0..features)
                .flat_map(|f| (0..steps).map(move |t| (t, f)))
                .map(|(t, f)| x[t * features + f])
                .collect();
            Grid {
                width: steps,
                height: features,
                data,
            }
        })
        .unwrap_or_default();
    Ok(SequencePictures {
        truth: p.truth,
        predicted,
        input,
        hidden,
    })
}

fn argmax(v: &[f32]) -> usize {
    v.iter().enumerate().fold((0, f32::NEG_INFINITY), |b, (i, &x)| if x > b.1 { (i, x) } else { b }).0
}

/// Cell centres of an n×n grid over the plane, top row first (y decreasing).
fn grid(n: usize) -> Vec<(f64, f64)> {
    let cell = 2.0 * DOMAIN / n as f64;
    let mut pts = Vec::with_capacity(n * n);
    for row in 0..n {
        let y = DOMAIN - (row as f64 + 0.5) * cell;
        for col in 0..n {
            pts.push((-DOMAIN + (col as f64 + 0.5) * cell, y));
        }
    }
    pts
}

/// Steps per second over the last second or so.
#[derive(Default)]
struct RateMeter {
    since: f64,
    steps: u64,
    last: f64,
}

impl RateMeter {
    fn add(&mut self, steps: u32, at: f64) -> f64 {
        if self.since == 0.0 {
            self.since = at;
        }
        self.steps += steps as u64;
        let elapsed = now_ms() - self.since;
        if elapsed >= 1000.0 {
            self.last = self.steps as f64 * 1000.0 / elapsed;
            self.since = now_ms();
            self.steps = 0;
        }
        self.last
    }
}
