//! Lessons from the notes: each opens a prepared experiment with a short explanation, a "try
//! this" change applied with one click, and what to watch. The texts and experiments live in the
//! engine (`engine::lessons`), where tests train each one and check what it promises.

use engine::lessons::{Focus, LESSONS, lesson};
use leptos::prelude::*;

use crate::i18n::{Lang, tr};
use crate::lab::Lab;

#[component]
pub fn LessonsPanel(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let text = move |t: engine::activation::Text| if lang.get() == Lang::En { t.en } else { t.ko };
    let open = move |id: &'static str| {
        if let Some(l) = lesson(id) {
            lab.playing.set(false);
            lab.import.set(None);
            lab.spec.set((l.spec)());
            lab.resets.update(|n| *n += 1);
            lab.notice.set(None);
            lab.lesson.set(Some(l.id));
        }
    };
    let current = move || lab.lesson.get().and_then(lesson);
    view! {
        <section class="panel lessons" aria-labelledby="lessons-h">
            <h2 id="lessons-h">{move || tr(lang.get(), "Lessons", "레슨")}</h2>
            <div class="row lesson-list">
                {LESSONS.iter().map(|l| view! {
                    <button data-testid=format!("lesson-{}", l.id) aria-pressed=move || (lab.lesson.get() == Some(l.id)).to_string()
                        on:click=move |_| open(l.id)>{move || text(l.title)}</button>
                }).collect_view()}
            </div>
            {move || current().map(|l| view! {
                <article class="lesson" data-testid="lesson">
                    <h3>{move || text(l.title)}</h3>
                    <p>{move || text(l.explain)}</p>
                    <p><b>{move || tr(lang.get(), "Watch: ", "볼 것: ")}</b>{move || text(l.expect)}</p>
                    <p><b>{move || tr(lang.get(), "Try this: ", "해 보기: ")}</b>{move || text(l.try_this)}</p>
                    {(l.focus == Focus::Devices).then(|| view! { <super::devices::DeviceSweep lab /> })}
                    <div class="row">
                        {l.try_spec.map(|f| view! {
                            <button class="primary" data-testid="lesson-try" on:click=move |_| {
                                let next = lab.spec.with_untracked(f);
                                lab.playing.set(false);
                                lab.spec.set(next);
                                lab.resets.update(|n| *n += 1);
                            }>{move || tr(lang.get(), "Try this", "해 보기")}</button>
                        })}
                        <button data-testid="lesson-close" on:click=move |_| lab.lesson.set(None)>
                            {move || tr(lang.get(), "Close", "닫기")}</button>
                    </div>
                </article>
            })}
        </section>
    }
}
