//! The page's root component: header, compute status and the panels.

use leptos::prelude::*;

use crate::compute::{self, ComputeStatus};

/// The whole playground.
#[component]
pub fn App() -> impl IntoView {
    let (status, set_status) = signal(ComputeStatus::Detecting);
    leptos::task::spawn_local(async move {
        set_status.set(compute::detect().await);
    });
    view! {
        <header class="top">
            <h1>"DL101 Playground"</h1>
            <p class="backend" data-testid="backend">{move || status.get().label()}</p>
        </header>
        <main></main>
    }
}
