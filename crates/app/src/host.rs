//! Where a training loop runs, and its end of the link to the page. The driver is the same code
//! in a Web Worker (the usual case: the page's thread stays free for drawing) and on the page (a
//! browser where the worker cannot start); what differs is here: how it waits between blocks of
//! work, how it learns that the page is hidden, and how its outputs reach the page.
//!
//! Outputs are sent when they changed and the page has drawn the last ones (one update per page
//! frame at most, the latest of each signal; what training produced in between is not queued).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::lab::Lab;
use crate::persist::Saved;
use crate::wire::{self, Role, ToPage, ToTrainer};

/// A training loop's place: the trainer's lab, and how to reach the page.
#[derive(Clone)]
pub struct Host(Rc<Inner>);

struct Inner {
    lab: Lab,
    role: Role,
    /// In a worker: it yields to its messages between blocks, and waits for the page's frames
    /// before sending. On the page: it waits for animation frames, and each output is drawn at once.
    worker: bool,
    post: Box<dyn Fn(ToPage)>,
    hidden: Cell<bool>,
    reduced_motion: Cell<bool>,
    /// The page has drawn the last update.
    credit: Cell<bool>,
    /// When the last update was sent.
    flushed_at: Cell<f64>,
    /// Training ran since the last tick (a busy loop yields; an idle one sleeps).
    trained: Cell<bool>,
    /// The bytes of each output as last sent (positions of [`wire::outputs`]).
    sent: RefCell<Vec<Vec<u8>>>,
    /// [`Lab::picture_updates`] when the big outputs were last compared, and the curves' key.
    big_at: Cell<Option<u64>>,
    curves_at: Cell<Option<(usize, u64)>>,
    /// Wakes an idle worker loop when a message arrives.
    wake: RefCell<Option<js_sys::Function>>,
    /// The page closed this trainer (a loop on the page stops at its next turn).
    closed: Cell<bool>,
}

/// Least time between two updates from a worker: 30 a second. The numbers read as smoothly, and
/// the page's thread, which shares two cores with two trainers in a side-by-side run, handles
/// half the messages it would at 60.
const MIN_UPDATE_MS: f64 = 33.0;

/// How long an idle worker loop sleeps at most (it still saves and notices the page hidden).
const IDLE_MS: i32 = 100;

impl Host {
    pub fn new(lab: Lab, role: Role, worker: bool, post: impl Fn(ToPage) + 'static) -> Host {
        Host(Rc::new(Inner {
            lab,
            role,
            worker,
            post: Box::new(post),
            hidden: Cell::new(false),
            reduced_motion: Cell::new(false),
            credit: Cell::new(true),
            flushed_at: Cell::new(f64::NEG_INFINITY),
            trained: Cell::new(false),
            sent: RefCell::new(Vec::new()),
            big_at: Cell::new(None),
            curves_at: Cell::new(None),
            wake: RefCell::new(None),
            closed: Cell::new(false),
        }))
    }

    pub fn lab(&self) -> Lab {
        self.0.lab
    }

    pub fn role(&self) -> Role {
        self.0.role
    }

    pub fn in_worker(&self) -> bool {
        self.0.worker
    }

    pub fn close(&self) {
        self.0.closed.set(true);
    }

    pub fn closed(&self) -> bool {
        self.0.closed.get()
    }

    /// A message from the page.
    pub fn receive(&self, msg: ToTrainer) {
        match msg {
            ToTrainer::Start { inputs, hidden, reduced_motion, .. } => {
                self.0.hidden.set(hidden);
                self.0.reduced_motion.set(reduced_motion);
                inputs.into_iter().for_each(|v| wire::apply_input(&self.0.lab, v));
            }
            ToTrainer::Set(values) => values.into_iter().for_each(|v| wire::apply_input(&self.0.lab, v)),
            ToTrainer::Drawn => self.0.credit.set(true),
            ToTrainer::Hidden(h) => self.0.hidden.set(h),
            ToTrainer::ReducedMotion(r) => self.0.reduced_motion.set(r),
        }
        if let Some(wake) = self.0.wake.borrow_mut().take() {
            let _ = wake.call0(&wasm_bindgen::JsValue::NULL);
        }
    }

    /// The page is hidden (a background tab): training pauses, the experiment is saved.
    pub fn hidden(&self) -> bool {
        self.0.hidden.get()
    }

    /// The learner asked their system for reduced motion.
    pub fn reduced_motion(&self) -> bool {
        self.0.reduced_motion.get()
    }

    /// Whether an update sent now would be drawn at once (in a worker: the page has drawn the
    /// last one).
    pub fn ready(&self) -> bool {
        !self.0.worker || (self.0.credit.get() && now_ms() - self.0.flushed_at.get() >= MIN_UPDATE_MS)
    }

    /// Called after each block of training steps.
    pub fn trained(&self) {
        self.0.trained.set(true);
    }

    /// Sends the outputs that changed, when the page is ready for them.
    pub fn flush(&self) {
        if !self.ready() {
            return;
        }
        let updates = Some(self.0.lab.picture_updates.get_untracked());
        let big = self.0.big_at.replace(updates) != updates;
        let curves = Some(wire::curves_key(&self.0.lab));
        let curves = self.0.curves_at.replace(curves) != curves;
        let values = wire::outputs(&self.0.lab, big, curves);
        let mut sent = self.0.sent.borrow_mut();
        sent.resize(values.len(), Vec::new());
        let changed: Vec<_> = values
            .into_iter()
            .zip(sent.iter_mut())
            .filter_map(|(v, last)| {
                let v = v?;
                let bytes = wire::encode(&v);
                (bytes != *last).then(|| {
                    *last = bytes;
                    v
                })
            })
            .collect();
        drop(sent);
        if !changed.is_empty() {
            self.0.credit.set(false);
            self.0.flushed_at.set(now_ms());
            (self.0.post)(ToPage::Set(changed));
        }
    }

    /// Between two turns of the loop: sends what changed, then lets the page's messages in
    /// (a worker yields at once after training and sleeps when idle; on the page, the next
    /// animation frame).
    pub async fn tick(&self) {
        self.flush();
        if !self.0.worker {
            next_frame().await;
        } else if self.0.trained.replace(false) {
            yield_now().await;
        } else {
            self.idle().await;
        }
    }

    /// Between two timed blocks of a measurement.
    pub async fn pause(&self) {
        self.flush();
        if self.0.worker { yield_now().await } else { next_frame().await }
    }

    /// Waits `ms` milliseconds.
    pub async fn sleep(&self, ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| later(&resolve, ms));
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    async fn idle(&self) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            *self.0.wake.borrow_mut() = Some(resolve.clone());
            later(&resolve, IDLE_MS);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        self.0.wake.borrow_mut().take();
    }

    /// Keeps the experiment in the browser (experiment A only; the page writes it).
    pub fn save(&self, saved: &Saved) {
        if self.0.role == Role::A {
            let (full, lean) = crate::persist::texts(saved);
            (self.0.post)(ToPage::Save { spec: saved.spec.to_json(), full, lean });
        }
    }

    /// Offers a file to download (the page does).
    pub fn download(&self, name: &str, text: String) {
        (self.0.post)(ToPage::Download { name: name.into(), text });
    }
}

/// Milliseconds since the page or worker started (both have `performance`).
pub fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Calls `f` after `ms` milliseconds, in a page or a worker (Leptos's timers need a window).
fn later(f: &js_sys::Function, ms: i32) {
    let global = js_sys::global();
    if let Ok(set) = js_sys::Reflect::get(&global, &"setTimeout".into()).and_then(|v| v.dyn_into::<js_sys::Function>()) {
        let _ = set.call2(&global, f, &ms.into());
    }
}

thread_local! {
    /// A channel whose messages resolve [`yield_now`]: a zero-delay macrotask (a timeout would
    /// be clamped to 4 ms once nested).
    static CHANNEL: RefCell<Option<(web_sys::MessagePort, Rc<RefCell<Vec<js_sys::Function>>>)>> = const { RefCell::new(None) };
}

/// Lets every pending message run, and resumes right after.
async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        CHANNEL.with(|c| {
            let mut c = c.borrow_mut();
            if c.is_none() {
                let Ok(channel) = web_sys::MessageChannel::new() else {
                    let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
                    return;
                };
                let waiting: Rc<RefCell<Vec<js_sys::Function>>> = Rc::default();
                let w = waiting.clone();
                let on_message = Closure::<dyn Fn()>::new(move || {
                    for r in w.borrow_mut().drain(..) {
                        let _ = r.call0(&wasm_bindgen::JsValue::NULL);
                    }
                });
                channel.port1().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
                // The channel lives as long as the worker.
                on_message.forget();
                *c = Some((channel.port2(), waiting));
            }
            if let Some((port, waiting)) = c.as_ref() {
                waiting.borrow_mut().push(resolve.clone());
                let _ = port.post_message(&wasm_bindgen::JsValue::NULL);
            }
        });
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

thread_local! {
    /// The pending frame's resolver, for the page-hidden listener to call too.
    static WAKE: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Resolves at the next animation frame, or as soon as the page is hidden or shown again:
/// animation frames stop in a hidden tab, and the loop must still save the experiment then.
pub async fn next_frame() {
    install_visibility_wake();
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        WAKE.with(|w| *w.borrow_mut() = Some(resolve.clone()));
        let scheduled = web_sys::window()
            .and_then(|w| w.request_animation_frame(resolve.unchecked_ref()).ok())
            .is_some();
        if !scheduled {
            later(&resolve, 16);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// One `visibilitychange` listener for the page's life, waking the pending frame.
fn install_visibility_wake() {
    thread_local!(static INSTALLED: Cell<bool> = const { Cell::new(false) });
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    let wake = Closure::<dyn Fn()>::new(|| {
        if let Some(resolve) = WAKE.with(|w| w.borrow_mut().take()) {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let _ = doc.add_event_listener_with_callback("visibilitychange", wake.as_ref().unchecked_ref());
    }
    // The listener lives as long as the page.
    wake.forget();
}
