//! The app's own CSS and JavaScript, served from `static/` under URLs that carry a fingerprint
//! of their content (`/static/css/app.css?v=…`). Browsers may then keep them for a year without
//! asking (the static route says `immutable`), and a new release, whose files differ, is fetched
//! at once because its URLs differ.

use std::path::Path;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// The files the pages link to, relative to the static folder.
const LINKED: [&str; 2] = ["css/app.css", "js/app.js"];

static VERSION: OnceLock<String> = OnceLock::new();

/// Reads the linked files once, at start-up: their fingerprint is the version in every link.
pub fn init(static_dir: &Path) {
    VERSION.get_or_init(|| fingerprint(static_dir));
}

/// The fingerprint the pages put in their links (`?v=…`).
pub fn version() -> &'static str {
    VERSION.get_or_init(|| fingerprint(&Path::new(env!("CARGO_MANIFEST_DIR")).join("static")))
}

fn fingerprint(dir: &Path) -> String {
    let mut hash = Sha256::new();
    for file in LINKED {
        // A missing file still gets a version: the page links work and the 404 says what is wrong.
        hash.update(std::fs::read(dir.join(file)).unwrap_or_default());
    }
    hash.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_follows_the_content() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("css")).unwrap();
        std::fs::create_dir_all(dir.path().join("js")).unwrap();
        std::fs::write(dir.path().join("css/app.css"), "a{}").unwrap();
        std::fs::write(dir.path().join("js/app.js"), "").unwrap();
        let first = fingerprint(dir.path());
        assert_eq!(first.len(), 12);
        assert_eq!(fingerprint(dir.path()), first);
        std::fs::write(dir.path().join("css/app.css"), "a{color:red}").unwrap();
        assert_ne!(fingerprint(dir.path()), first);
    }
}
