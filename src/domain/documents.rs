//! The campaign's reference documents (e.g. 《潍坊学院党支部评星定级管理实施办法》, 组织部〔2022〕
//! 43号): a PDF or Word file, recognised by its first bytes, or a link to where it is published.

use super::evidence::{DOC, DOCX, MAX_BYTES, Upload, clean_file_name};
use super::input::{FieldErrors, text};

pub const TITLE_MAX: usize = 200;
pub const DOC_NUMBER_MAX: usize = 50;
pub const URL_MAX: usize = 500;

/// A checked document: a file or a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub doc_number: String,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Link(String),
    File {
        name: String,
        content_type: &'static str,
        bytes: Vec<u8>,
    },
}

/// A PDF, a .docx (a zip whose parts include `word/`) or a .doc (an OLE compound file).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") && bytes.windows(5).any(|w| w == b"word/") {
        Some(DOCX)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(DOC)
    } else {
        None
    }
}

/// A link users may follow: http(s), no spaces or control characters.
fn link(url: &str) -> Result<String, String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or("链接须以 http:// 或 https:// 开头")?;
    if rest.is_empty()
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
    {
        return Err("链接格式不正确，请复制完整的网址".into());
    }
    if url.chars().count() > URL_MAX {
        return Err(format!("链接不能超过 {URL_MAX} 个字符"));
    }
    Ok(url.to_string())
}

/// Checks a document: a title, an optional 文号, and exactly one of a file or a link.
pub fn parse(title: &str, doc_number: &str, url: &str, file: Option<Upload>) -> Result<Document, FieldErrors> {
    let mut e = FieldErrors::default();
    let title = text("文件名称", title, TITLE_MAX, true).unwrap_or_else(|m| {
        e.add("title", m);
        String::new()
    });
    let doc_number = text("文号", doc_number, DOC_NUMBER_MAX, false).unwrap_or_else(|m| {
        e.add("doc_number", m);
        String::new()
    });
    let file = file.filter(|f| !f.bytes.is_empty());
    let source = match (file, url.trim()) {
        (Some(_), u) if !u.is_empty() => {
            e.add("url", "请上传文件或填写链接，二者选其一");
            None
        }
        (Some(f), _) if f.bytes.len() > MAX_BYTES => {
            e.add("file", format!("文件超过 {} MB", MAX_BYTES / 1024 / 1024));
            None
        }
        (Some(f), _) => match sniff(&f.bytes) {
            Some(kind) => Some(Source::File {
                name: clean_file_name(&f.name, kind),
                content_type: kind,
                bytes: f.bytes,
            }),
            None => {
                e.add("file", format!("“{}”不是 PDF 或 Word 文件", f.name));
                None
            }
        },
        (None, "") => {
            e.add("url", "请上传文件（PDF 或 Word）或填写链接");
            None
        }
        (None, u) => match link(u) {
            Ok(u) => Some(Source::Link(u)),
            Err(m) => {
                e.add("url", m);
                None
            }
        },
    };
    match source {
        Some(source) if e.is_empty() => Ok(Document {
            title,
            doc_number,
            source,
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(bytes: &[u8]) -> Option<Upload> {
        Some(Upload {
            name: "评星定级管理实施办法.docx".into(),
            bytes: bytes.to_vec(),
        })
    }

    #[test]
    fn a_document_is_a_pdf_or_word_file_or_a_link() {
        let d = parse(
            "评星定级管理实施办法",
            "组织部〔2022〕43号",
            "",
            upload(b"%PDF-1.7 ..."),
        )
        .unwrap();
        assert!(
            matches!(d.source, Source::File { content_type: "application/pdf", ref name, .. } if name == "评星定级管理实施办法.pdf")
        );
        let docx = parse("办法", "", "", upload(b"PK\x03\x04....word/document.xml")).unwrap();
        assert!(matches!(docx.source, Source::File { content_type: DOCX, .. }));
        assert!(
            parse("办法", "", "", upload(b"MZ\x90\x00"))
                .unwrap_err()
                .get("file")
                .is_some()
        );
        assert!(
            parse("办法", "", "", upload(b"PK\x03\x04 xl/workbook")).is_err(),
            "a spreadsheet is not Word"
        );
        let l = parse("办法", "", " https://dzb.example.edu.cn/a?id=1 ", None).unwrap();
        assert_eq!(l.source, Source::Link("https://dzb.example.edu.cn/a?id=1".into()));
    }

    #[test]
    fn exactly_one_source_and_a_safe_link() {
        assert!(parse("办法", "", "", None).unwrap_err().get("url").is_some());
        assert!(
            parse("办法", "", "https://a.cn", upload(b"%PDF-"))
                .unwrap_err()
                .get("url")
                .is_some()
        );
        for bad in ["javascript:alert(1)", "ftp://a.cn/x", "https://", "https://a.cn/a b"] {
            assert!(parse("办法", "", bad, None).unwrap_err().get("url").is_some(), "{bad}");
        }
        assert!(parse(" ", "", "https://a.cn", None).unwrap_err().get("title").is_some());
    }
}
