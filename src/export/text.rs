//! Line breaking for Chinese text in fixed-width cells and paragraphs.
//!
//! genpdf's own wrapper breaks only at ASCII spaces and silently drops a "word" wider than the
//! line, so a Chinese sentence would vanish. Here every CJK character is its own break unit,
//! Latin runs (`Excel`, `12.5`, `[12]`) stay whole, and 避头尾 holds: punctuation that may not
//! start a line is glued to the unit before it, punctuation that may not end one to the unit
//! after it. A unit still wider than the line (a long URL) is split per character, so nothing
//! is ever lost.

/// Punctuation that may not start a line (避头).
const NO_LINE_START: &str = "，。、：；！？）】》」』〉〕”’…—％·‰,.;:!?)]}%";
/// Punctuation that may not end a line (避尾).
const NO_LINE_END: &str = "（【《「『〈〔“‘([{";

pub fn may_not_start_line(c: char) -> bool {
    NO_LINE_START.contains(c)
}

fn may_not_end_line(c: char) -> bool {
    NO_LINE_END.contains(c)
}

/// The smallest pieces of text between which a line may break.
pub fn break_units(s: &str) -> Vec<String> {
    // Atoms first: a run of non-space ASCII, one space, or any other single character.
    let mut atoms: Vec<String> = Vec::new();
    let mut ascii_run = String::new();
    for c in s.chars() {
        if c.is_ascii_graphic() && !may_not_end_line(c) && !may_not_start_line(c) {
            ascii_run.push(c);
            continue;
        }
        if c.is_ascii_graphic() && !ascii_run.is_empty() && may_not_start_line(c) {
            // `12.5`, `a,b`: ASCII punctuation inside a Latin run stays in it.
            ascii_run.push(c);
            continue;
        }
        if !ascii_run.is_empty() {
            atoms.push(std::mem::take(&mut ascii_run));
        }
        atoms.push(c.to_string());
    }
    if !ascii_run.is_empty() {
        atoms.push(ascii_run);
    }

    // Then glue: 避头 to the unit before, 避尾 to the unit after.
    let mut units: Vec<String> = Vec::new();
    let mut pending_open = String::new();
    for atom in atoms {
        let first = atom.chars().next().unwrap_or(' ');
        if may_not_start_line(first)
            && pending_open.is_empty()
            && let Some(last) = units.last_mut()
        {
            last.push_str(&atom);
            continue;
        }
        if atom.chars().count() == 1 && may_not_end_line(first) {
            pending_open.push_str(&atom);
            continue;
        }
        let mut unit = std::mem::take(&mut pending_open);
        unit.push_str(&atom);
        units.push(unit);
    }
    if !pending_open.is_empty() {
        units.push(pending_open);
    }
    units
}

/// Wraps `text` into lines no wider than `max_width`, as measured by `width`. `\n` breaks a line.
/// Every non-space character of `text` is in the result, in order.
pub fn wrap(text: &str, max_width: f64, width: &dyn Fn(&str) -> f64) -> Vec<String> {
    wrap_by(text, max_width, width, &break_units)
}

/// Like `wrap`, but a line breaks only between the pieces `words` cuts a paragraph into (a
/// piece wider than the line still breaks inside, as `wrap` would break it).
pub fn wrap_by(
    text: &str, max_width: f64, width: &dyn Fn(&str) -> f64, words: &dyn Fn(&str) -> Vec<String>,
) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.replace("\r\n", "\n").split('\n') {
        let mut line = String::new();
        let mut line_width = 0.0;
        fill(
            &mut lines,
            &mut line,
            &mut line_width,
            words(paragraph),
            max_width,
            width,
        );
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Adds `units` to the open `line`, closing lines into `lines` as they fill. A unit wider than a
/// line is broken into its own break units, and those (if still too wide) per character.
fn fill(
    lines: &mut Vec<String>, line: &mut String, line_width: &mut f64, units: Vec<String>, max_width: f64,
    width: &dyn Fn(&str) -> f64,
) {
    for unit in units {
        let w = width(&unit);
        if *line_width + w <= max_width || line.is_empty() && w <= max_width {
            if !(line.is_empty() && unit == " ") {
                line.push_str(&unit);
                *line_width += w;
            }
            continue;
        }
        if unit.chars().count() > 1 && w > max_width {
            let finer = break_units(&unit);
            if finer.len() > 1 {
                fill(lines, line, line_width, finer, max_width, width);
                continue;
            }
        }
        if !line.is_empty() {
            lines.push(std::mem::take(line).trim_end().to_string());
            *line_width = 0.0;
        }
        if unit == " " {
            continue;
        }
        if w <= max_width {
            *line = unit;
            *line_width = w;
            continue;
        }
        // Wider than a whole line: split per character.
        for c in unit.chars() {
            let s = c.to_string();
            let cw = width(&s);
            if *line_width + cw > max_width && !line.is_empty() {
                lines.push(std::mem::take(line));
                *line_width = 0.0;
            }
            line.push(c);
            *line_width += cw;
        }
    }
}

/// The fixed phrases of the documents' titles, which a title line never breaks inside.
const TITLE_PHRASES: [&str; 6] = [
    "党支部对账整改专项行动",
    "自查问题、",
    "整改与责任清单",
    "开展",
    "情况的报告",
    "情况报告",
];

/// A title cut where a line may break: between its fixed phrases, the unit's name (between
/// them) kept whole. "潍坊学院党支部对账整改专项行动自查问题、整改与责任清单" breaks only as
/// 潍坊学院 | 党支部对账整改专项行动 | 自查问题、 | 整改与责任清单.
pub fn title_words(title: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut name = String::new();
    let mut rest = title;
    'scan: while let Some(c) = rest.chars().next() {
        for phrase in TITLE_PHRASES {
            if let Some(after) = rest.strip_prefix(phrase) {
                if !name.is_empty() {
                    words.push(std::mem::take(&mut name));
                }
                words.push(phrase.to_string());
                rest = after;
                continue 'scan;
            }
        }
        name.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !name.is_empty() {
        words.push(name);
    }
    words
}

/// A list of names (责任人: "王喆、李堃、张玥") cut after each separator, so a line never breaks
/// inside a name.
pub fn name_words(names: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in names.chars() {
        word.push(c);
        if "、，,；;/ 　".contains(c) {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One width unit per character: CJK and ASCII alike, enough to test the rules.
    fn chars(s: &str) -> f64 {
        s.chars().count() as f64
    }

    #[test]
    fn chinese_breaks_between_characters_and_latin_runs_stay_whole() {
        assert_eq!(
            break_units("用Excel记录12.5分"),
            ["用", "Excel", "记", "录", "12.5", "分"]
        );
    }

    #[test]
    fn closing_punctuation_is_glued_to_the_unit_before_and_opening_to_the_unit_after() {
        assert_eq!(break_units("会议，（记录）。"), ["会", "议，", "（记", "录）。"]);
        assert_eq!(break_units("“三会一课”"), ["“三", "会", "一", "课”"]);
        assert_eq!(break_units("a, b"), ["a,", " ", "b"]);
    }

    #[test]
    fn no_line_starts_with_closing_punctuation() {
        let text =
            "支部委员会没有发挥党支部日常工作的领导机构作用，支委会会议对党支部重要工作进行研讨讨论少；“两张皮”问题。";
        for width in 3..20 {
            let lines = wrap(text, width as f64, &chars);
            for line in &lines {
                let first = line.chars().next().unwrap();
                assert!(!may_not_start_line(first), "width {width}: {line}");
                assert!(!may_not_end_line(line.chars().last().unwrap()), "width {width}: {line}");
            }
            assert_eq!(lines.concat(), text, "width {width}");
        }
    }

    #[test]
    fn nothing_is_lost_when_a_unit_is_wider_than_the_line() {
        let text = "见https://example.org/a/very/long/path?x=1，共3项";
        let lines = wrap(text, 8.0, &chars);
        assert!(lines.iter().all(|l| chars(l) <= 8.0), "{lines:?}");
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn newlines_break_and_spaces_at_a_break_are_dropped() {
        assert_eq!(wrap("第一行\n第二行", 10.0, &chars), ["第一行", "第二行"]);
        assert_eq!(wrap("ab cd ef", 5.0, &chars), ["ab cd", "ef"]);
        assert_eq!(wrap("", 5.0, &chars), [""]);
    }

    #[test]
    fn a_title_breaks_only_between_its_phrases() {
        let title = "潍坊学院党支部对账整改专项行动自查问题、整改与责任清单";
        assert_eq!(
            title_words(title),
            ["潍坊学院", "党支部对账整改专项行动", "自查问题、", "整改与责任清单"]
        );
        assert_eq!(
            wrap_by(title, 22.0, &chars, &title_words),
            ["潍坊学院党支部对账整改专项行动自查问题、", "整改与责任清单"]
        );
        assert_eq!(
            title_words("计算机工程学院党委开展党支部对账整改专项行动情况的报告"),
            ["计算机工程学院党委", "开展", "党支部对账整改专项行动", "情况的报告"]
        );
    }

    #[test]
    fn names_are_never_split_and_a_too_long_one_still_prints_whole() {
        assert_eq!(
            wrap_by("王喆、李堃、欧阳一帆", 5.0, &chars, &name_words),
            ["王喆、", "李堃、", "欧阳一帆"]
        );
        assert_eq!(wrap_by("赵一帆", 2.0, &chars, &name_words).concat(), "赵一帆");
    }
}
