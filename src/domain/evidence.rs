//! What a 销号 evidence file may be: recognised by its first bytes, never by the name or the
//! browser's word, so nothing executable or HTML is ever stored and served back.

pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_FILES_PER_MEASURE: usize = 10;

/// The content type of an accepted file, from its magic bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// A file name safe to store and to offer back: no path, no control characters, at most 100
/// characters, with the extension that matches its real type.
pub fn clean_file_name(name: &str, content_type: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base.rsplit_once('.').map(|(s, _)| s).unwrap_or(base);
    let mut stem: String = stem
        .chars()
        .filter(|c| !is_format_char(*c))
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|'))
        .take(100)
        .collect();
    if stem.trim().is_empty() {
        stem = "证明材料".to_string();
    }
    let ext = match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "pdf",
    };
    format!("{}.{ext}", stem.trim())
}

/// Invisible characters that reorder or hide text: the bidi controls every typed text loses,
/// and in a file name also zero-width characters and the byte-order mark.
fn is_format_char(c: char) -> bool {
    super::input::is_bidi_control(c) || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2065}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_images_and_pdf_are_recognised() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"MZ\x90\0"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn names_lose_paths_and_get_their_true_extension() {
        assert_eq!(
            clean_file_name("C:\\Users\\张喆\\会议记录.PNG", "image/png"),
            "会议记录.png"
        );
        assert_eq!(clean_file_name("../../etc/passwd", "application/pdf"), "passwd.pdf");
        assert_eq!(clean_file_name("evil.html", "image/jpeg"), "evil.jpg");
        assert_eq!(clean_file_name("", "image/jpeg"), "证明材料.jpg");
        assert_eq!(clean_file_name("a\"b<c>.pdf", "application/pdf"), "abc.pdf");
        assert_eq!(clean_file_name("报告\u{202e}gnp.png", "image/png"), "报告gnp.png");
        assert_eq!(clean_file_name("\u{200b}\u{200b}.png", "image/png"), "证明材料.png");
    }
}
