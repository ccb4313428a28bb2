//! 经验总结和典型做法: what a unit writes up from its rectification for others to learn from.

use super::input::{FieldErrors, text};

pub const TITLE_MAX: usize = 60;
pub const TEXT_MAX: usize = 3000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeInput {
    pub title: String,
    pub text: String,
}

/// A practice needs a title and its account; each has its limit.
pub fn parse(title: &str, body: &str) -> Result<PracticeInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let title = text("标题", title, TITLE_MAX, true).unwrap_or_else(|m| {
        e.add("title", m);
        String::new()
    });
    let body = text("做法和成效", body, TEXT_MAX, true).unwrap_or_else(|m| {
        e.add("text", m);
        String::new()
    });
    e.into_result(PracticeInput { title, text: body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_practice_has_a_title_and_an_account_within_their_limits() {
        let ok = parse(" “三会一课”当场记录当场签字 ", "支委会……").unwrap();
        assert_eq!(ok.title, "“三会一课”当场记录当场签字");
        let e = parse("", &"字".repeat(TEXT_MAX + 1)).unwrap_err();
        assert!(e.get("title").is_some());
        assert!(e.get("text").unwrap().contains("3000"));
    }
}
