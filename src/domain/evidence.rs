//! What a 销号 evidence file may be: recognised by its first bytes, never by the name or the
//! browser's word, so nothing executable or HTML is ever stored and served back.

pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_FILES_PER_MEASURE: usize = 10;

/// The most one upload request carries (several photos at once).
pub const MAX_UPLOAD_BYTES: usize = 30 * 1024 * 1024;

/// A file as uploaded.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A file accepted for storing: cleaned name, sniffed type, content.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A request's files, checked.
#[derive(Debug, Clone)]
pub struct Checked {
    pub accepted: Vec<Accepted>,
    /// What is wrong with the upload, in words.
    pub problems: Vec<String>,
    /// Files were chosen: if the request is refused, for whatever reason, they must be chosen
    /// again, as no browser keeps them (say [`REPICK`]).
    pub chosen: bool,
}

/// Checks a 销号 request's files: each one's size and real type, and whether the upload
/// arrived whole (`broken`: too large in total, or the connection dropped).
pub fn check_upload(files: Vec<Upload>, broken: bool) -> Checked {
    let mut problems = Vec::new();
    if broken {
        problems.push(format!(
            "文件没有完整上传：一次提交合计不能超过 {} MB（也可能是网络中断），请分几次上传，或压缩照片后重试。",
            MAX_UPLOAD_BYTES / 1024 / 1024
        ));
    }
    let chosen = files.iter().any(|f| !f.bytes.is_empty());
    let mut accepted = Vec::new();
    for f in files.into_iter().filter(|f| !f.bytes.is_empty()) {
        match sniff(&f.bytes) {
            _ if f.bytes.len() > MAX_BYTES => problems.push(format!(
                "“{}”超过 {} MB，请压缩后再上传",
                f.name,
                MAX_BYTES / 1024 / 1024
            )),
            None => problems.push(format!("“{}”不是照片（JPG/PNG/WebP）或 PDF 文件", f.name)),
            Some(kind) => accepted.push(Accepted {
                name: clean_file_name(&f.name, kind),
                content_type: kind,
                bytes: f.bytes,
            }),
        }
    }
    Checked {
        accepted,
        problems,
        chosen,
    }
}

/// Said whenever a request with files is refused.
pub const REPICK: &str = "出于安全原因，浏览器不会保留已选择的文件，请重新选择后提交。";

/// "860 字节", "35 KB", "2.4 MB".
pub fn size_label(bytes: i64) -> String {
    match bytes {
        n if n < 1024 => format!("{n} 字节"),
        n if n < 1024 * 1024 => format!("{} KB", n / 1024),
        n => format!("{:.1} MB", n as f64 / 1024.0 / 1024.0),
    }
}

/// Whether `adding` more files fit beside the `existing` ones of a measure or a meeting record
/// (`holder`: "每条措施"); `Err` says why not.
pub fn room_for(holder: &str, existing: usize, adding: usize) -> Result<(), String> {
    if existing + adding > MAX_FILES_PER_MEASURE {
        Err(format!(
            "{holder}最多 {MAX_FILES_PER_MEASURE} 个文件，已有 {existing} 个"
        ))
    } else {
        Ok(())
    }
}

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

/// Word documents, which reference documents may be (never 销号 evidence).
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const DOC: &str = "application/msword";

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
        DOCX => "docx",
        DOC => "doc",
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
    fn an_upload_keeps_real_photos_and_says_what_it_refused() {
        let png = b"\x89PNG\r\n\x1a\n....".to_vec();
        let files = vec![
            Upload {
                name: "a.jpg".into(),
                bytes: png.clone(),
            },
            Upload {
                name: "b.exe".into(),
                bytes: b"MZ".to_vec(),
            },
            Upload {
                name: "".into(),
                bytes: Vec::new(),
            },
        ];
        let c = check_upload(files, false);
        assert_eq!(c.accepted.len(), 1);
        assert_eq!(c.accepted[0].name, "a.png", "named by its real type");
        assert_eq!(c.problems.len(), 1);
        assert!(c.problems[0].contains("“b.exe”不是照片"));
        assert!(c.chosen);
        let c = check_upload(
            vec![Upload {
                name: "a".into(),
                bytes: png,
            }],
            true,
        );
        assert!(c.problems[0].contains("没有完整上传"));
        assert!(!check_upload(Vec::new(), false).chosen);
        assert!(room_for("每条措施", 9, 1).is_ok() && room_for("每条措施", 9, 2).is_err());
    }

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
