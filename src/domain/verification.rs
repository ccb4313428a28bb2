//! The verification code printed on every page of an export, and the kinds of document it can
//! stand for. A code is 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L), so
//! it can be read off paper and typed; 31¹⁰ ≈ 8 × 10¹⁴ codes keep guessing hopeless.

use super::states::coded_enum;

const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 10;

/// A new random code (stored form, without the dash).
pub fn new_code() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    (0..CODE_LEN)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// `ABCDE-FGHJK`, as printed.
pub fn display_code(code: &str) -> String {
    if code.len() == CODE_LEN {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_string()
    }
}

/// Dashes a Chinese keyboard or a word processor may put where the printed code has `-`.
const DASHES: &str = "-－—–‐‑‒―−ー_";

/// What someone typed (any case, full-width or not, spaces and dashes anywhere) as a stored
/// code, or `None` if it cannot be one.
pub fn parse_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .map(|c| match u32::from(c) {
            // Full-width ASCII (Ａ, ２) as typed with a Chinese input method.
            0xFF01..=0xFF5E => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && !DASHES.contains(*c))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

coded_enum!(
    /// What a code stands for (`export_codes.kind`); the label is how /verify names it.
    DocKind {
        /// 附件2 of one branch.
        BranchChecklist = "branch_checklist" / "附件2 自查问题、整改与责任清单（党支部）",
        /// 附件2 of all branches of a committee.
        CommitteeChecklist = "committee_checklist" / "附件2 自查问题、整改与责任清单（党总支（党委）所属全部党支部）",
        /// 附件3 of a committee.
        Report = "report" / "附件3 开展党支部对账整改专项行动情况的报告",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_code_reads_back_from_its_printed_form_in_any_case() {
        let code = new_code();
        assert_eq!(code.len(), CODE_LEN);
        let printed = display_code(&code);
        assert_eq!(printed.len(), CODE_LEN + 1);
        assert_eq!(parse_code(&printed).as_deref(), Some(code.as_str()));
        assert_eq!(
            parse_code(&format!(" {} ", printed.to_lowercase())).as_deref(),
            Some(code.as_str())
        );
        assert_ne!(new_code(), code);
    }

    #[test]
    fn what_cannot_be_a_code_is_refused() {
        assert_eq!(parse_code(""), None);
        assert_eq!(parse_code("ABCDE-FGHJ"), None);
        assert_eq!(parse_code("ABCDE-FGHJKL"), None);
        assert_eq!(parse_code("ABCDE-FGH0K"), None, "0 is not in the alphabet");
        assert_eq!(parse_code("ABCDE-FGH码K"), None);
        assert_eq!(parse_code("abcde fghjk").as_deref(), Some("ABCDEFGHJK"));
        assert_eq!(
            parse_code("ＡＢＣＤＥ—ｆｇｈ２３").as_deref(),
            Some("ABCDEFGH23"),
            "full-width, em dash"
        );
        assert_eq!(parse_code("ABCDE\u{3000}FGHJK").as_deref(), Some("ABCDEFGHJK"));
    }

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in DocKind::ALL {
            assert_eq!(DocKind::parse(kind.code()), Some(*kind));
        }
        assert_eq!(DocKind::parse("other"), None);
    }
}
