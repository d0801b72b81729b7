//! Your own data: CSV reading (separators, headers, label spellings, errors with line numbers,
//! caps), the spec's limits, the share link's `custom` key (exact round trips, hostile input),
//! and training on points a learner placed.

use engine::backend::cpu::CpuBackend;
use engine::data::custom::{self, LIMIT_UNITS, MAX_CSV_BYTES, MAX_POINTS, parse_csv};
use engine::data::{CustomPoint, DatasetKind};
use engine::share::{self, MAX_LINK_BYTES, decode, encode};
use engine::spec::ModelSpec;
use engine::testing::block_on;
use engine::train::Trainer;

fn pt(x: i16, y: i16, label: i8) -> CustomPoint {
    CustomPoint { x, y, label }
}

/// An XOR-like set of `n` points in the four quadrants, as CSV rows with labels `neg`/`pos`.
fn xor_rows(n: usize, labels: (&str, &str), sep: &str) -> String {
    let mut s = String::new();
    for i in 0..n {
        let (sx, sy) = ([1.0, -1.0, -1.0, 1.0][i % 4], [1.0, 1.0, -1.0, -1.0][i % 4]);
        let r = 1.0 + (i / 4) as f64 * 0.37 % 4.0;
        let (x, y) = (sx * r, sy * (1.0 + (i / 4) as f64 * 0.53 % 4.0));
        let label = if sx * sy > 0.0 { labels.1 } else { labels.0 };
        s += &format!("{x:.2}{sep}{y:.2}{sep}{label}\n");
    }
    s
}

fn custom_spec(points: Vec<CustomPoint>) -> ModelSpec {
    let mut s = ModelSpec::default();
    s.data.kind = DatasetKind::Custom;
    s.custom_points = points;
    s
}

// ---------------------------------------------------------------------------------------------
// CSV.

#[test]
fn csv_reads_every_separator_header_and_label_spelling() {
    let rows = xor_rows(40, ("0", "1"), ",");
    let plain = parse_csv(&rows).unwrap();
    assert_eq!(plain.len(), 40);
    assert_eq!(custom::class_counts(&plain), (20, 20));
    // The first row is (1, 1), class 1 → positive.
    assert_eq!(plain[0], pt(100, 100, 1));
    assert_eq!(plain[1], pt(-100, 100, -1));
    for (text, what) in [
        (format!("x,y,label\n{rows}"), "header"),
        (format!("x1;x2;class\r\n{}", xor_rows(40, ("0", "1"), ";").replace('\n', "\r\n")), "semicolons, CRLF"),
        (xor_rows(40, ("0", "1"), "\t"), "tabs"),
        (xor_rows(40, ("0", "1"), "   "), "spaces"),
        (xor_rows(40, ("0", "1"), ", "), "comma and space"),
        (xor_rows(40, ("-1", "1"), ","), "-1/1"),
        (xor_rows(40, ("orange", "blue"), ","), "orange/blue"),
        (xor_rows(40, ("no", "YES"), ","), "no/yes"),
        (xor_rows(40, ("a", "b"), ","), "words in alphabetical order"),
        (format!("\u{feff}# my points\n\n{rows}\n\n"), "BOM, comment, blank lines"),
        (xor_rows(40, ("0", "1"), ";").replace('.', ","), "decimal commas with semicolons"),
        (rows.lines().map(|l| format!("\"{}\"", l.replace(',', "\",\""))).collect::<Vec<_>>().join("\n"), "quoted fields"),
    ] {
        let got = parse_csv(&text).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(got, plain, "{what}");
    }
    // Coordinates are rounded to hundredths; the plane's edges are allowed.
    let edges = format!("{}-6,6,1\n6,-6,0\n0.004,-0.005,1\n", xor_rows(10, ("0", "1"), ","));
    let got = parse_csv(&edges).unwrap();
    assert_eq!(&got[10..], &[pt(-600, 600, 1), pt(600, -600, -1), pt(0, -1, 1)]);
}

#[test]
fn csv_errors_name_the_line_and_what_to_fix() {
    let good = xor_rows(12, ("0", "1"), ",");
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "no data"),
        ("   \n\n# only a comment\n".into(), "no data"),
        ("x,y,label\n".into(), "only a header"),
        (format!("{good}1,2\n"), "line 13: expected 3 values (x, y, label), found 2"),
        (format!("{good}1,2,1,4\n"), "line 13: expected 3 values"),
        (format!("{good}1,abc,1\n"), "line 13: y `abc` is not a number"),
        (format!("{good}NaN,1,1\n"), "line 13: x `NaN` is not a number"),
        (format!("{good}inf,1,1\n"), "line 13: x `inf` is not a number"),
        (format!("{good}7.5,1,1\n"), "line 13: x = 7.5 is outside [-6, 6]"),
        (format!("{good}1,-1e9,1\n"), "line 13: y = -1e9 is outside [-6, 6]"),
        (format!("{good}1,1,\n"), "line 13: the label is empty"),
        (format!("{good}1,1,2\n"), "line 13: a third label `2` (after `1` and `0`)"),
        (format!("x,y,l\n{}", "1,1,1\n".repeat(20)), "every row has the label `1`"),
        ("1,1,0\n2,2,1\n-1,1,0\n".into(), "3 points is too few: a data set needs at least 10"),
    ];
    for (text, want) in cases {
        let e = parse_csv(&text).expect_err(want);
        assert!(e.contains(want), "{text:?}: got {e:?}, want {want:?}");
        assert!(e.chars().count() < 200 && !e.chars().any(char::is_control), "{e:?}");
    }
    // A hostile field is quoted short and printable.
    let e = parse_csv(&format!("{good}1,{}\u{7},1\n", "z".repeat(10_000))).unwrap_err();
    assert!(e.starts_with("line 13:") && e.chars().count() < 120, "{e}");
}

#[test]
fn csv_size_caps() {
    let max = xor_rows(MAX_POINTS, ("0", "1"), ",");
    assert_eq!(parse_csv(&max).unwrap().len(), MAX_POINTS);
    let over = format!("x,y,label\n{}", xor_rows(MAX_POINTS + 1, ("0", "1"), ","));
    let e = parse_csv(&over).unwrap_err();
    assert!(e.starts_with(&format!("line {}: more than {MAX_POINTS} points", MAX_POINTS + 2)), "{e}");
    let huge = "1,1,1\n".repeat(MAX_CSV_BYTES / 6 + 1);
    let started = std::time::Instant::now();
    let e = parse_csv(&huge).unwrap_err();
    assert!(e.contains("KiB"), "{e}");
    assert!(started.elapsed().as_millis() < 100);
}

#[test]
fn csv_written_reads_back() {
    let points = parse_csv(&xor_rows(40, ("0", "1"), ",")).unwrap();
    assert_eq!(parse_csv(&custom::to_csv(&points)).unwrap(), points);
}

// ---------------------------------------------------------------------------------------------
// The spec.

#[test]
fn the_spec_checks_your_own_data() {
    let ten: Vec<CustomPoint> = (0..10).map(|i| pt(i * 10, -i * 10, if i % 2 == 0 { 1 } else { -1 })).collect();
    custom_spec(ten.clone()).validate().unwrap();
    let err = |s: ModelSpec| s.validate().unwrap_err().to_string();
    assert!(err(custom_spec(Vec::new())).contains("custom_points: your own data has 0 points; add at least 10"));
    assert!(err(custom_spec(ten[..9].to_vec())).contains("has 9 points"));
    let one_class: Vec<CustomPoint> = ten.iter().map(|p| pt(p.x, p.y, 1)).collect();
    assert!(err(custom_spec(one_class)).contains("no negative (orange) points"));
    let mut off = ten.clone();
    off[3].x = LIMIT_UNITS + 1;
    assert!(err(custom_spec(off.clone())).contains("point 3 (601, -30) is outside the plane"));
    let mut label = ten.clone();
    label[2].label = 0;
    assert!(err(custom_spec(label)).contains("point 2 has the label 0"));
    let many: Vec<CustomPoint> = (0..=MAX_POINTS).map(|i| pt(0, 0, if i % 2 == 0 { 1 } else { -1 })).collect();
    assert!(err(custom_spec(many)).contains("2001 points is more than the 2000"));
    // Kept beside another data set, a few points are fine; broken ones are not.
    let mut circle = ModelSpec { custom_points: ten[..3].to_vec(), ..ModelSpec::default() };
    circle.validate().unwrap();
    circle.custom_points = off;
    assert!(err(circle).contains("custom_points"));
}

#[test]
fn json_carries_the_points_and_leaves_old_specs_alone() {
    let json = ModelSpec::default().to_json();
    assert!(!json.contains("custom_points"), "{json}");
    let s = custom_spec((0..10).map(|i| pt(i * 7 - 600, 600 - i, if i < 5 { 1 } else { -1 })).collect());
    let json = s.to_json();
    assert!(json.contains(r#""custom_points":[[-600,600,1],[-593,599,1],"#), "{json}");
    assert_eq!(ModelSpec::from_json(&json).unwrap(), s);
    // Out-of-range numbers in a file are an error, not a panic.
    let bad = json.replace("[-600,600,1]", "[-60000,600,1]");
    assert!(ModelSpec::from_json(&bad).is_err());
    let bad = json.replace("[-600,600,1]", "[1.5,600,1]");
    assert!(ModelSpec::from_json(&bad).is_err());
}

// ---------------------------------------------------------------------------------------------
// Share links.

#[test]
fn links_carry_the_points_exactly_and_compactly() {
    let def = encode(&ModelSpec::default());
    assert!(!def.contains("custom"), "{def}");
    let mut rng = engine::rng::Rng::new(9);
    let points: Vec<CustomPoint> = (0..MAX_POINTS)
        .map(|i| {
            let c = |r: &mut engine::rng::Rng| r.below(2 * LIMIT_UNITS as usize + 1) as i16 - LIMIT_UNITS;
            pt(c(&mut rng), c(&mut rng), if i % 3 == 0 { 1 } else { -1 })
        })
        .collect();
    let mut s = custom_spec(points);
    s.custom_points[0] = pt(-600, -600, -1);
    s.custom_points[1] = pt(600, 600, 1);
    let link = encode(&s);
    assert!(link.len() < MAX_LINK_BYTES, "{} bytes", link.len());
    let tail = link.split("&custom=").nth(1).unwrap();
    assert_eq!(tail.len(), 4 * MAX_POINTS);
    assert!(tail.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert!(tail.starts_with("AAAA"), "(-6, -6) negative is code 0");
    assert_eq!(&tail[4..8], "LATB", "(6, 6) positive is the largest code, 2884801");
    let d = decode(&link);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.spec, s);
    assert_eq!(encode(&d.spec), link);
    // Through a page address with percent-escapes too.
    let d = decode(&format!("https://example.org/play/#{}", link.replace('_', "%5F")));
    assert_eq!(d.spec, s);
}

fn custom_link(points: &str) -> String {
    let base = encode(&custom_spec((0..10).map(|i| pt(i, i, if i < 5 { 1 } else { -1 })).collect()));
    let head = base.split("&custom=").next().unwrap();
    format!("{head}&custom={points}")
}

#[test]
fn hostile_custom_keys_give_problems_and_a_valid_spec() {
    let ten = "AAAB".repeat(5) + &"AAAA".repeat(5);
    for (points, want, kind) in [
        (ten.clone(), None, DatasetKind::Custom),
        // A broken character drops that point only; 9 are left, so the default data set opens.
        (ten.replacen('A', "*", 1), Some("custom: 1 point codes are not 4 characters"), DatasetKind::Circle),
        // Codes past the largest point.
        (format!("{ten}____"), Some("custom: 1 point codes"), DatasetKind::Custom),
        (format!("{ten}AB"), Some("custom: 2 characters at the end do not make a whole point"), DatasetKind::Custom),
        (String::new(), Some("data: your own data has 0 points; add at least 10"), DatasetKind::Circle),
        ("AAAB".repeat(20), Some("data: your own data has no negative (orange) points"), DatasetKind::Circle),
        ("NaN0".repeat(12), Some("custom: 12 point codes"), DatasetKind::Circle),
        ("%FF%FE".into(), Some("custom: the value is not UTF-8"), DatasetKind::Circle),
        ("원원원원".into(), Some("custom: 3 point codes"), DatasetKind::Circle),
    ] {
        let link = custom_link(&points);
        let d = decode(&link);
        d.spec.validate().unwrap();
        assert_eq!(d.spec.data.kind, kind, "{link}: {:?}", d.problems);
        match want {
            None => assert!(d.problems.is_empty(), "{:?}", d.problems),
            Some(w) => assert!(d.problems.iter().any(|p| p.starts_with(w)), "{points:?}: want {w:?}, got {:?}", d.problems),
        }
        let again = decode(&encode(&d.spec));
        assert!(again.problems.is_empty(), "{:?}", again.problems);
        assert_eq!(again.spec, d.spec);
    }
    // `data=custom` with no `custom` key at all.
    let d = decode(&custom_link("").replace("&custom=", ""));
    assert_eq!(d.spec.data.kind, DatasetKind::Circle);
    assert!(d.problems.iter().any(|p| p.starts_with("data: your own data has 0 points")), "{:?}", d.problems);
    // More points than allowed: the first 2000 are kept (the link cap leaves room for them all).
    let d = decode(&custom_link(&("AAAB".repeat(2000) + &"AAAA".repeat(100))));
    assert_eq!(d.spec.custom_points.len(), MAX_POINTS);
    assert!(d.problems.iter().any(|p| p.starts_with("custom: 2100 points is more than the 2000")), "{:?}", d.problems);
    // A huge count past the link cap is cut before parsing, fast.
    let started = std::time::Instant::now();
    let d = decode(&custom_link(&"AAAB".repeat(1_000_000)));
    assert!(started.elapsed().as_secs_f64() < 2.0);
    assert!(d.problems[0].starts_with("link:"), "{:?}", d.problems);
    d.spec.validate().unwrap();
    // Repeated keys: the first is used, and reported.
    let d = decode(&format!("{}&custom=AAAA", custom_link(&ten)));
    assert_eq!(d.spec.custom_points.len(), 10);
    assert!(d.problems.iter().any(|p| p.starts_with("custom: appears 2 times")), "{:?}", d.problems);
}

#[test]
fn tf_playground_links_never_hold_custom_data() {
    let s = custom_spec((0..10).map(|i| pt(i, i, if i < 5 { 1 } else { -1 })).collect());
    let why = engine::tfplayground::encode(&s).unwrap_err();
    assert!(why.iter().any(|w| w.starts_with("data: custom")), "{why:?}");
    assert_eq!(share::custom_text(&s.custom_points).len(), 40);
}

// ---------------------------------------------------------------------------------------------
// Training.

#[test]
fn a_network_learns_points_placed_by_hand() {
    // Ten points each side of the plane, as a learner clicks them: negative left, positive right.
    let mut points = Vec::new();
    for i in 0..10i16 {
        points.push(pt(-300 - 20 * i, -250 + 55 * i, -1));
        points.push(pt(300 + 20 * i, 250 - 55 * i, 1));
    }
    let spec = custom_spec(points.clone());
    let mut t = Trainer::new(CpuBackend::new(), &spec).unwrap();
    // The seed splits the points; every one is used once.
    assert_eq!(t.train_points().len() + t.test_points().len(), 20);
    assert_eq!(t.train_points().len(), 10);
    t.step_epochs(200).unwrap();
    let m = block_on(t.metrics()).unwrap();
    assert!(m.test_accuracy.unwrap() >= 0.9, "{m:?}");
    // The same seed splits the same way.
    let again = Trainer::new(CpuBackend::new(), &spec).unwrap();
    assert_eq!(again.train_points(), t.train_points());
}

#[test]
fn a_network_learns_a_pasted_xor() {
    let mut spec = custom_spec(parse_csv(&xor_rows(200, ("0", "1"), ",")).unwrap());
    spec.features = vec![engine::data::Feature::X1X2];
    spec.optimizer.lr = 0.1;
    spec.data.train_percent = 70;
    let mut t = Trainer::new(CpuBackend::new(), &spec).unwrap();
    t.step_epochs(100).unwrap();
    let m = block_on(t.metrics()).unwrap();
    assert!(m.test_accuracy.unwrap() >= 0.95, "{m:?}");
}
