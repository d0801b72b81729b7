//! `share::decode` on arbitrary bytes: it must not panic, must return a spec that validates, at
//! most `MAX_PROBLEMS + 1` problems, and a spec whose own link reads back to it exactly with no
//! problems. The same for the TensorFlow Playground reader.

#![no_main]

use engine::share::{self, MAX_PROBLEMS};
use engine::tfplayground;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for d in [share::decode(&text), tfplayground::decode(&text)] {
        if let Err(e) = d.spec.validate() {
            panic!("decoded spec does not validate: {e}\n{:?}", d.spec);
        }
        assert!(d.problems.len() <= MAX_PROBLEMS + 1, "{} problems", d.problems.len());
        for m in &d.problems {
            assert!(m.chars().count() <= 400 && !m.chars().any(char::is_control), "message {m:?}");
        }
        let link = share::encode(&d.spec);
        let again = share::decode(&link);
        assert!(again.problems.is_empty(), "{link}: {:?}", again.problems);
        assert_eq!(again.spec.to_json(), d.spec.to_json(), "{link}");
        assert_eq!(share::encode(&again.spec), link);
    }
});
