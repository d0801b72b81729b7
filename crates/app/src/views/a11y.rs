//! Text alternatives for the canvases: what each picture shows, in words a screen reader can
//! say, kept up to date from the same signals the pictures are drawn from (the latest metrics,
//! the hovered neuron, the sample shown). English and Korean.

use engine::train::Metrics;

use crate::i18n::{Lang, tr};

fn pct(a: Option<f32>) -> Option<String> {
    a.filter(|a| a.is_finite()).map(|a| format!("{:.1}%", a * 100.0))
}

fn loss(l: f32) -> String {
    if l.is_finite() { format!("{l:.3}") } else { "not a number".into() }
}

/// The decision boundary: what it shows and how well the network does on the test set.
pub fn boundary(lang: Lang, showing: &str, latest: Option<&Metrics>) -> String {
    let mut s = format!(
        "{showing}. {}",
        tr(lang, "Training points have a white ring, test points a black ring", "학습 데이터는 흰 테두리, 테스트 데이터는 검은 테두리")
    );
    if let Some(m) = latest {
        s += &match (lang, pct(m.test_accuracy)) {
            (Lang::En, Some(a)) => format!(". Epoch {}: test accuracy {a}, test loss {}", m.epoch, loss(m.test_loss)),
            (Lang::Ko, Some(a)) => format!(". 에폭 {}: 테스트 정확도 {a}, 테스트 손실 {}", m.epoch, loss(m.test_loss)),
            (Lang::En, None) => format!(". Epoch {}: test loss {}", m.epoch, loss(m.test_loss)),
            (Lang::Ko, None) => format!(". 에폭 {}: 테스트 손실 {}", m.epoch, loss(m.test_loss)),
        };
    }
    s
}

/// A curve chart: its latest values (`accuracy` for the accuracy chart, else the loss chart).
pub fn curves(lang: Lang, accuracy: bool, latest: Option<&Metrics>) -> String {
    let title = match (accuracy, lang) {
        (false, Lang::En) => "Loss curves",
        (false, Lang::Ko) => "손실 곡선",
        (true, Lang::En) => "Accuracy curves",
        (true, Lang::Ko) => "정확도 곡선",
    };
    let Some(m) = latest else {
        return format!("{title}: {}", tr(lang, "no training yet", "아직 학습 전"));
    };
    let (train, test) = if accuracy {
        (pct(m.train_accuracy).unwrap_or_default(), pct(m.test_accuracy).unwrap_or_default())
    } else {
        (loss(m.train_loss), loss(m.test_loss))
    };
    match lang {
        Lang::En => format!("{title}, epoch {}: train {train}, test {test}", m.epoch),
        Lang::Ko => format!("{title}, 에폭 {}: 학습 {train}, 테스트 {test}", m.epoch),
    }
}

/// A learned filter of the first convolution.
pub fn filter(lang: Lang, index: usize) -> String {
    match lang {
        Lang::En => format!("Filter {} of the first convolution", index + 1),
        Lang::Ko => format!("첫 합성곱의 필터 {}", index + 1),
    }
}

/// A feature map of a layer (`layer` as the page labels it, "conv2d 1").
pub fn feature_map(lang: Lang, layer: &str, index: usize) -> String {
    match lang {
        Lang::En => format!("Feature map {} of {layer}", index + 1),
        Lang::Ko => format!("{layer}의 특징 맵 {}", index + 1),
    }
}

/// The test image the flow starts from.
pub fn sample(lang: Lang, label: &str, predicted: &str) -> String {
    match lang {
        Lang::En => format!("Test image with label {label}; the network answers {predicted}"),
        Lang::Ko => format!("정답이 {label}인 테스트 이미지, 신경망의 답은 {predicted}"),
    }
}

/// A row of the unrolled recurrent network.
pub fn strip(lang: Lang, row: &str) -> String {
    format!("{row}, {}", tr(lang, "one column per time step", "시간 단계마다 한 열"))
}

/// The forecast chart.
pub fn sequence(lang: Lang, latest: Option<&Metrics>) -> String {
    let title = tr(lang, "Predicted against true values over consecutive test samples", "연속된 테스트 샘플의 예측값과 실제값");
    match latest {
        Some(m) => format!("{title}: {} {}", tr(lang, "test loss", "테스트 손실"), loss(m.test_loss)),
        None => title.to_string(),
    }
}

/// Experiment B's output in a side-by-side run.
pub fn b_boundary(lang: Lang, latest: Option<&Metrics>) -> String {
    let title = tr(lang, "B's output over the input plane", "입력 평면 위의 B의 출력");
    match latest.and_then(|m| pct(m.test_accuracy)) {
        Some(a) => format!("{title}: {} {a}", tr(lang, "test accuracy", "테스트 정확도")),
        None => title.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(epoch: u32, acc: Option<f32>) -> Metrics {
        Metrics { epoch, step: 0, train_loss: 0.25, test_loss: 0.5, train_accuracy: acc, test_accuracy: acc }
    }

    #[test]
    fn labels_say_the_latest_values() {
        assert_eq!(curves(Lang::En, false, Some(&m(3, None))), "Loss curves, epoch 3: train 0.250, test 0.500");
        assert_eq!(curves(Lang::En, true, Some(&m(4, Some(0.875)))), "Accuracy curves, epoch 4: train 87.5%, test 87.5%");
        assert!(boundary(Lang::En, "Output", Some(&m(2, Some(0.9)))).ends_with("Epoch 2: test accuracy 90.0%, test loss 0.500"));
        assert!(boundary(Lang::Ko, "출력", Some(&m(2, None))).contains("에폭 2"));
        assert_eq!(filter(Lang::En, 0), "Filter 1 of the first convolution");
        assert!(curves(Lang::En, false, None).contains("no training yet"));
        let nan = Metrics { train_loss: f32::NAN, ..m(1, None) };
        assert!(curves(Lang::En, false, Some(&nan)).contains("not a number"));
    }
}
