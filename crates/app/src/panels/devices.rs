//! The GPU lesson's measurement: the lesson's network at growing widths, trained for a moment on
//! the CPU and on WebGPU (the driver does the timing, `driver::sweep`), as a table of steps per
//! second and one sentence saying from which width the GPU wins on this machine, or honestly
//! that it does not (a software adapter, or no WebGPU at all).

use leptos::prelude::*;

use crate::driver::rate_text;
use crate::i18n::{Lang, tr};
use crate::lab::{Lab, Sweep};

/// What the measurement shows, in English and Korean.
pub fn verdict(s: &Sweep) -> (String, String) {
    let gpu_rows: Vec<(u32, f64, f64)> = s.rows.iter().filter_map(|&(w, c, g)| g.map(|g| (w, c, g))).collect();
    if !s.rows.is_empty() && gpu_rows.is_empty() {
        return (
            "This browser has no working WebGPU, so only the CPU could be measured: open the page in a browser with WebGPU on a machine with a GPU to see the difference.".into(),
            "이 브라우저에는 작동하는 WebGPU가 없어 CPU만 측정했습니다. GPU가 있는 컴퓨터에서 WebGPU를 지원하는 브라우저로 열면 차이를 볼 수 있습니다.".into(),
        );
    }
    match gpu_rows.iter().find(|r| r.2 > r.1) {
        Some(&(w, c, g)) => (
            format!("On this machine WebGPU wins from {w} units a layer on ({} against {} steps per second): wide layers keep the GPU's many cores busy.", rate_text(g), rate_text(c)),
            format!("이 컴퓨터에서는 층마다 {w}개 뉴런부터 WebGPU가 이깁니다 (초당 {} 대 {} 스텝): 넓은 층이 GPU의 많은 코어를 바쁘게 합니다.", rate_text(g), rate_text(c)),
        ),
        None if s.software => (
            "On this machine the CPU wins at every width. Your WebGPU adapter is a software renderer: it runs the GPU's programs on the same CPU, with the extra cost of pretending to be a GPU, so it cannot win. On a computer with a real GPU the wide networks go faster on WebGPU.".into(),
            "이 컴퓨터에서는 모든 너비에서 CPU가 이깁니다. WebGPU 어댑터가 소프트웨어 렌더러라서 GPU 프로그램을 같은 CPU에서 GPU인 척하는 비용까지 치르며 실행하므로 이길 수 없습니다. 진짜 GPU가 있는 컴퓨터에서는 넓은 신경망이 WebGPU에서 더 빠릅니다.".into(),
        ),
        None => (
            "On this machine the CPU wins at every width measured: this GPU needs still wider layers (or bigger batches) before its cores pay for the cost of launching them.".into(),
            "이 컴퓨터에서는 측정한 모든 너비에서 CPU가 이깁니다: 이 GPU는 코어를 띄우는 비용을 갚으려면 더 넓은 층(또는 더 큰 배치)이 필요합니다.".into(),
        ),
    }
}

#[component]
pub fn DeviceSweep(lab: Lab) -> impl IntoView {
    let lang = lab.lang;
    let running = move || lab.sweep.get().is_some_and(|s| !s.done);
    view! {
        <div class="sweep" data-testid="sweep">
            <button class="primary" data-testid="sweep-measure" prop:disabled=running
                on:click=move |_| lab.sweep_requests.update(|n| *n += 1)>
                {move || if running() { tr(lang.get(), "Measuring…", "측정 중…") } else { tr(lang.get(), "Measure", "측정") }}
            </button>
            {move || lab.sweep.get().map(|s| {
                let (en, ko) = verdict(&s);
                let done = s.done;
                view! {
                    <table data-testid="sweep-table">
                        <caption>{move || tr(lang.get(), "Training steps per second on this machine", "이 컴퓨터에서 초당 학습 스텝")}</caption>
                        <thead><tr>
                            <th scope="col">{move || tr(lang.get(), "units a layer", "층당 뉴런")}</th>
                            <th scope="col">"CPU"</th>
                            <th scope="col">"WebGPU"</th>
                            <th scope="col">{move || tr(lang.get(), "faster", "더 빠름")}</th>
                        </tr></thead>
                        <tbody>
                            {s.rows.iter().map(|&(w, cpu, gpu)| {
                                let winner = match gpu {
                                    Some(g) if g > cpu => "WebGPU",
                                    _ => "CPU",
                                };
                                view! {
                                    <tr data-testid=format!("sweep-row-{w}")>
                                        <th scope="row">{w}</th>
                                        <td data-testid=format!("sweep-cpu-{w}")>{rate_text(cpu)}</td>
                                        <td data-testid=format!("sweep-gpu-{w}")>{gpu.map_or("–".to_string(), rate_text)}</td>
                                        <td data-testid=format!("sweep-winner-{w}")>{winner}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {done.then(|| view! { <p data-testid="sweep-verdict">{move || if lang.get() == Lang::En { en.clone() } else { ko.clone() }}</p> })}
                }
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(rows: &[(u32, f64, Option<f64>)], software: bool) -> Sweep {
        Sweep { rows: rows.to_vec(), done: true, software }
    }

    #[test]
    fn the_verdict_follows_the_figures() {
        let gpu_wins_later = sweep(&[(8, 9000.0, Some(800.0)), (64, 5000.0, Some(790.0)), (256, 400.0, Some(700.0))], false);
        assert!(verdict(&gpu_wins_later).0.contains("wins from 256 units"), "{:?}", verdict(&gpu_wins_later));
        let software = sweep(&[(8, 9000.0, Some(80.0)), (1024, 30.0, Some(3.0))], true);
        assert!(verdict(&software).0.contains("CPU wins at every width") && verdict(&software).0.contains("software renderer"));
        let slow_hardware = sweep(&[(8, 9000.0, Some(80.0))], false);
        assert!(verdict(&slow_hardware).0.contains("still wider layers"));
        let no_gpu = sweep(&[(8, 9000.0, None)], false);
        assert!(verdict(&no_gpu).0.contains("no working WebGPU"));
        for s in [gpu_wins_later, software, slow_hardware, no_gpu] {
            assert!(verdict(&s).1.chars().any(|c| ('가'..='힣').contains(&c)));
        }
    }
}
