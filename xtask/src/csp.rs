//! The page's Content-Security-Policy allows scripts from its own origin only. Trunk's loader is
//! an inline module script, so after each build its SHA-256 is added to the policy in
//! `dist/index.html`; nothing else inline can run.

use sha2::{Digest, Sha256};

const SCRIPT_SRC: &str = "script-src 'self' 'wasm-unsafe-eval'";

/// Adds the hash of every inline `<script>` in `html` to its CSP's `script-src`.
pub fn allow_inline_scripts(html: &str) -> Result<String, String> {
    if !html.contains(SCRIPT_SRC) {
        return Err(format!("index.html has no CSP with \"{SCRIPT_SRC}\""));
    }
    let mut hashes = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let open_end = after.find('>').ok_or("unterminated <script> tag")? + 1;
        let close = after.find("</script>").ok_or("<script> without </script>")?;
        let body = &after[open_end..close];
        if !after[..open_end].contains(" src=") {
            hashes.push_str(&format!(" 'sha256-{}'", base64(&Sha256::digest(body.as_bytes()))));
        }
        rest = &after[close + "</script>".len()..];
    }
    Ok(html.replacen(SCRIPT_SRC, &format!("{SCRIPT_SRC}{hashes}"), 1))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_values() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn inline_script_hash_is_added_and_external_scripts_are_not() {
        let html = format!("<meta content=\"{SCRIPT_SRC}\"><script>x()</script><script src=\"a.js\"></script>");
        let out = allow_inline_scripts(&html).unwrap();
        let want = base64(&Sha256::digest(b"x()"));
        assert!(out.contains(&format!("{SCRIPT_SRC} 'sha256-{want}'\"")), "{out}");
        assert_eq!(out.matches("sha256-").count(), 1);
    }

    #[test]
    fn a_page_without_the_policy_is_an_error() {
        assert!(allow_inline_scripts("<script>x()</script>").is_err());
    }
}
