//! The page's end of a trainer. [`Link::open`] starts the training loop of experiment A or B in a
//! Web Worker (`web/worker.js`, the page's own wasm), or on the page itself where a worker cannot
//! start (then the same loop runs per animation frame, as it always did). Either way the page
//! talks to it the same way: an effect sends the inputs that changed, and what comes back is
//! written into the page's [`Lab`], then acknowledged at the next animation frame so that the
//! trainer never sends faster than the page draws.

use std::cell::{Cell, RefCell};
use std::mem::Discriminant;
use std::rc::{Rc, Weak};

use engine::spec::ModelSpec;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;

use crate::host::Host;
use crate::i18n::Lang;
use crate::lab::Lab;
use crate::persist::{self, Saved};
use crate::wire::{self, Role, ToPage, ToTrainer, Value};
use crate::{compute, driver};

/// A running trainer, until closed.
#[derive(Clone)]
pub struct Link(Rc<Inner>);

struct Inner {
    lab: Lab,
    role: Role,
    transport: RefCell<Transport>,
    /// The inputs as last sent or echoed back, by their position in [`wire::inputs`].
    last: RefCell<Vec<(Discriminant<Value>, Vec<u8>)>>,
    /// The saved experiment to continue, as `persist` writes it (kept for a restart on the page).
    saved: Option<String>,
    /// The worker has spoken (a failure after that is a crash, not a reason to fall back).
    alive: Cell<bool>,
    drawn_pending: Cell<bool>,
    storage_warned: Cell<bool>,
    /// Page-wide listeners, removed on close.
    listeners: RefCell<Vec<Closure<dyn Fn()>>>,
}

enum Transport {
    Closed,
    /// The worker, and its handlers (kept alive with it).
    Worker(web_sys::Worker, #[allow(dead_code)] Vec<Closure<dyn Fn(JsValue)>>),
    Page(Host),
}

impl Link {
    /// Starts experiment `role`'s trainer. `saved` is the experiment this browser kept (A only).
    pub fn open(lab: Lab, role: Role, saved: Option<&Saved>) -> Link {
        let link = Link(Rc::new(Inner {
            lab,
            role,
            transport: RefCell::new(Transport::Closed),
            last: RefCell::new(Vec::new()),
            saved: saved.map(|s| persist::texts(s).0),
            alive: Cell::new(false),
            drawn_pending: Cell::new(false),
            storage_warned: Cell::new(false),
            listeners: RefCell::new(Vec::new()),
        }));
        match spawn_worker(&link) {
            Some(transport) => {
                *link.0.transport.borrow_mut() = transport;
                link.send(&link.start_message());
            }
            None => link.train_on_page(),
        }
        let weak = Rc::downgrade(&link.0);
        Effect::new(move |_| {
            let values = wire::inputs(&lab, role);
            if let (Some(values), Some(inner)) = (values, weak.upgrade()) {
                Link(inner).send_changed(values);
            }
        });
        link.listen_to_the_page();
        link
    }

    /// Stops the trainer.
    pub fn close(&self) {
        match self.0.transport.replace(Transport::Closed) {
            Transport::Worker(w, _) => w.terminate(),
            Transport::Page(host) => host.close(),
            Transport::Closed => (),
        }
        self.0.listeners.borrow_mut().clear();
    }

    /// The first message: every input, the saved experiment and the page's state.
    fn start_message(&self) -> ToTrainer {
        let inputs = untrack(|| wire::inputs(&self.0.lab, self.0.role)).unwrap_or_default();
        *self.0.last.borrow_mut() = inputs.iter().map(|v| (std::mem::discriminant(v), wire::encode(v))).collect();
        ToTrainer::Start {
            role: self.0.role,
            saved: self.0.saved.clone(),
            hidden: page_hidden(),
            reduced_motion: reduced_motion().is_some_and(|m| m.matches()),
            inputs,
        }
    }

    /// The loop on the page's own thread: where no worker starts, or the one that started failed.
    fn train_on_page(&self) {
        let lab = Lab::new(ModelSpec::default(), Lang::En);
        let weak = Rc::downgrade(&self.0);
        let host = Host::new(lab, self.0.role, false, move |msg| {
            if let Some(inner) = weak.upgrade() {
                Link(inner).receive(msg);
            }
        });
        *self.0.transport.borrow_mut() = Transport::Page(host.clone());
        self.send(&self.start_message());
        let saved = self.0.saved.as_deref().and_then(persist::parse);
        leptos::task::spawn_local(async move {
            let detected = compute::detect().await;
            lab.status.set(detected.status);
            driver::start(host, detected.gpu, saved);
        });
    }

    fn send(&self, msg: &ToTrainer) {
        match &*self.0.transport.borrow() {
            Transport::Worker(w, _) => {
                let bytes = js_sys::Uint8Array::from(wire::encode(msg).as_slice());
                let _ = w.post_message_with_transfer(&bytes, &js_sys::Array::of1(&bytes.buffer()));
            }
            Transport::Page(host) => host.receive(msg.clone()),
            Transport::Closed => (),
        }
    }

    /// Sends the inputs that differ from what the trainer last had.
    fn send_changed(&self, values: Vec<Value>) {
        let mut changed = Vec::new();
        {
            let mut last = self.0.last.borrow_mut();
            for (i, v) in values.into_iter().enumerate() {
                let bytes = wire::encode(&v);
                match last.get_mut(i) {
                    Some((_, b)) if *b == bytes => continue,
                    Some((_, b)) => *b = bytes,
                    None => last.push((std::mem::discriminant(&v), bytes)),
                }
                changed.push(v);
            }
        }
        if !changed.is_empty() {
            self.send(&ToTrainer::Set(changed));
        }
    }

    /// A message from the trainer.
    fn receive(&self, msg: ToPage) {
        let lab = self.0.lab;
        match msg {
            ToPage::Set(values) => {
                for v in values {
                    // A value the page also sends (play, the edits, the notice): now both ends
                    // have it, and the page's effect must not send it back.
                    let d = std::mem::discriminant(&v);
                    if let Some(entry) = self.0.last.borrow_mut().iter_mut().find(|(k, _)| *k == d) {
                        entry.1 = wire::encode(&v);
                    }
                    wire::apply_output(&lab, self.0.role, v);
                }
                self.ack_when_drawn();
            }
            ToPage::Save { spec, full, lean } => {
                // A save sent before the learner started a new experiment is not kept.
                if spec != lab.spec.with_untracked(ModelSpec::to_json) {
                    return;
                }
                if !persist::store(&full, &lean) && !self.0.storage_warned.replace(true) {
                    lab.notice.set(Some("This browser refused to store the experiment (storage full or switched off): it will not survive a reload. Use the share link to keep it.".into()));
                }
            }
            ToPage::Download { name, text } => {
                if let Err(e) = crate::panels::model_io::offer_download(&name, &text) {
                    lab.notice.set(Some(format!("The model could not be exported: {e:?}")));
                }
            }
            ToPage::Crash(report) => crate::panic_banner::show_report(&report),
        }
    }

    /// Tells a worker at the next animation frame that its last update has been drawn.
    fn ack_when_drawn(&self) {
        if !matches!(*self.0.transport.borrow(), Transport::Worker(..)) || self.0.drawn_pending.replace(true) {
            return;
        }
        let weak = Rc::downgrade(&self.0);
        request_animation_frame(move || {
            if let Some(inner) = weak.upgrade() {
                inner.drawn_pending.set(false);
                Link(inner).send(&ToTrainer::Drawn);
            }
        });
    }

    /// The worker could not start: the page trains itself.
    fn fall_back(&self, why: &str) {
        web_sys::console::warn_1(&format!("Training runs on the page's thread: the worker did not start ({why}).").into());
        if let Transport::Worker(w, _) = self.0.transport.replace(Transport::Closed) {
            w.terminate();
        }
        self.train_on_page();
    }

    /// The page's visibility and motion preference, as the trainer needs them.
    fn listen_to_the_page(&self) {
        let weak: Weak<Inner> = Rc::downgrade(&self.0);
        let on_visibility = Closure::<dyn Fn()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                Link(inner).send(&ToTrainer::Hidden(page_hidden()));
            }
        });
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let _ = doc.add_event_listener_with_callback("visibilitychange", on_visibility.as_ref().unchecked_ref());
        }
        let weak: Weak<Inner> = Rc::downgrade(&self.0);
        let on_motion = Closure::<dyn Fn()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                Link(inner).send(&ToTrainer::ReducedMotion(reduced_motion().is_some_and(|m| m.matches())));
            }
        });
        if let Some(m) = reduced_motion() {
            let _ = m.add_event_listener_with_callback("change", on_motion.as_ref().unchecked_ref());
        }
        let mut listeners = self.0.listeners.borrow_mut();
        listeners.push(on_visibility);
        listeners.push(on_motion);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Transport::Worker(w, _) = self.transport.get_mut() {
            w.terminate();
        }
    }
}

/// A module worker running `worker.js` from the page's own origin, given the page's bindings and
/// compiled module; `None` where the browser cannot start one (the page then trains itself).
fn spawn_worker(link: &Link) -> Option<Transport> {
    let doc = web_sys::window()?.document()?;
    let base = doc.base_uri().ok()??;
    // Trunk preloads the bindings: that link names the hashed file.
    let glue = doc.query_selector("link[rel='modulepreload'][href$='.js']").ok()??.get_attribute("href")?;
    let glue = web_sys::Url::new_with_base(&glue, &base).ok()?.href();
    let script = web_sys::Url::new_with_base("worker.js", &base).ok()?.href();
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(&script, &options).ok()?;

    let weak = Rc::downgrade(&link.0);
    let on_message = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
        let Some(inner) = weak.upgrade() else { return };
        let link = Link(inner);
        let data = e.unchecked_into::<web_sys::MessageEvent>().data();
        if let Some(bytes) = data.dyn_ref::<js_sys::Uint8Array>() {
            link.0.alive.set(true);
            if let Some(msg) = wire::decode::<ToPage>(&bytes.to_vec()) {
                link.receive(msg);
            }
        } else if let Ok(failed) = js_sys::Reflect::get(&data, &"failed".into()) {
            link.fall_back(&failed.as_string().unwrap_or_default());
        }
    });
    let weak = Rc::downgrade(&link.0);
    let on_error = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
        let Some(inner) = weak.upgrade() else { return };
        let link = Link(inner);
        let message = e.dyn_ref::<web_sys::ErrorEvent>().map(web_sys::ErrorEvent::message).unwrap_or_else(|| "the worker failed to load".into());
        if link.0.alive.get() {
            crate::panic_banner::show_report(&format!("DL101 Playground's trainer failed: {message}"));
        } else {
            link.fall_back(&message);
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let first = js_sys::Object::new();
    js_sys::Reflect::set(&first, &"glue".into(), &glue.into()).ok()?;
    js_sys::Reflect::set(&first, &"module".into(), &wasm_bindgen::module()).ok()?;
    worker.post_message(&first).ok()?;
    Some(Transport::Worker(worker, vec![on_message, on_error]))
}

fn page_hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

fn reduced_motion() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media("(prefers-reduced-motion: reduce)").ok().flatten()
}
