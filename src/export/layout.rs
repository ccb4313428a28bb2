//! The 附件2 table as lines, and how it falls onto pages — one layout for the PDF and the XLSX,
//! so paper and spreadsheet paginate alike.
//!
//! The table is cut into bands (one measure's row, or a finding without measures), each as many
//! lines high as its tallest cell; a finding's text spans its bands and a category's text its
//! findings, adding lines to the last band where they need more room. Pages then take finding
//! groups whole where they fit on a page, so a finding's cells cross a page break only when the
//! group is taller than a page (a category's cell may run over several pages); and the closing
//! block (sign-off record, signature line) always shares its page with the table's last lines.

use super::BranchLedger;

/// What a cell continued from the page before says: alone where its text is already printed
/// (PDF and XLSX), and at the start of the rest of a text split over pages (XLSX, which the
/// 附件2 import joins back).
pub use crate::domain::checklist_import::CONTINUED;

/// The columns: 查摆内容 | 查摆问题 | 整改措施 | 整改时限 | 责任人.
pub const HEADINGS: [&str; 5] = ["查摆内容", "查摆问题", "整改措施", "整改时限", "责任人"];

/// One measure's row (or a finding's, without measures): the lines of its three cells.
pub struct Band {
    pub group: usize,
    /// 整改措施, 整改时限, 责任人: the text as stored and as wrapped.
    pub texts: [String; 3],
    pub cells: [Vec<String>; 3],
    /// Height in lines (at least each cell's, more when the finding or category needs room).
    pub lines: usize,
    /// The measure's deadline when its cell is just that date (a spreadsheet writes a date).
    pub due: Option<time::Date>,
}

/// Text spanning several bands: a finding's or a category's.
pub struct Span {
    pub text: String,
    pub lines: Vec<String>,
}

impl Span {
    /// The lines of the next run of `capacity` lines, `printed` of them already printed; `None`
    /// when everything is printed (the run then only says 续上页).
    pub fn next_lines(&self, printed: &mut usize, capacity: usize) -> Option<std::ops::Range<usize>> {
        if *printed >= self.lines.len() {
            return None;
        }
        let end = (*printed + capacity).min(self.lines.len());
        let range = *printed..end;
        *printed = end;
        Some(range)
    }
}

/// The part of `text` that its wrapped `lines[range]` show, cut from `text` itself so that the
/// pieces put together give back `text` exactly (line breaks and the spaces a wrap drops at a
/// break included): the whitespace at a break goes with the piece after it, where a reader that
/// trims a cell's ends keeps it (after the 续上页 mark).
pub fn cut<'a>(text: &'a str, lines: &[String], range: std::ops::Range<usize>) -> &'a str {
    let shown = |ls: &[String]| -> usize { ls.iter().flat_map(|l| l.chars()).filter(|c| !c.is_whitespace()).count() };
    // The byte just after the n-th non-space character of `text` (0 for none).
    let end_of = |n: usize| -> usize {
        if n == 0 {
            return 0;
        }
        text.char_indices()
            .filter(|(_, c)| !c.is_whitespace())
            .nth(n - 1)
            .map_or(text.len(), |(i, c)| i + c.len_utf8())
    };
    let from = end_of(shown(&lines[..range.start.min(lines.len())]));
    let to = if range.end >= lines.len() {
        text.len()
    } else {
        end_of(shown(&lines[..range.end]))
    };
    &text[from..to.max(from)]
}

/// A finding (or the 无 / 尚未填报 / whose-items line) and the category it sits in.
pub struct Group {
    pub span: Span,
    pub category: usize,
}

pub struct Table {
    pub categories: Vec<Span>,
    pub groups: Vec<Group>,
    pub bands: Vec<Band>,
}

/// Lays the branch's table out in lines; `wrap(column, text)` breaks a cell's text as the
/// column is wide (and, for 责任人, between names only).
pub fn table(branch: &BranchLedger, wrap: &dyn Fn(usize, &str) -> Vec<String>) -> Table {
    let mut categories = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut bands: Vec<Band> = Vec::new();
    for (ci, c) in branch.categories.iter().enumerate() {
        categories.push(Span {
            text: c.heading.clone(),
            lines: wrap(0, &c.heading),
        });
        let first_band = bands.len();
        for f in &branch.printed(c) {
            let g = groups.len();
            groups.push(Group {
                span: Span {
                    text: f.text.clone(),
                    lines: wrap(1, &f.text),
                },
                category: ci,
            });
            let first = bands.len();
            for ms in &f.measures {
                let texts = [ms.text.clone(), ms.deadline.clone(), ms.owner.clone()];
                let cells = [wrap(2, &ms.text), wrap(3, &ms.deadline), wrap(4, &ms.owner)];
                let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
                bands.push(Band {
                    group: g,
                    texts,
                    cells,
                    lines,
                    due: ms.due,
                });
            }
            if bands.len() == first {
                bands.push(Band {
                    group: g,
                    texts: Default::default(),
                    cells: Default::default(),
                    lines: 1,
                    due: None,
                });
            }
            let have: usize = bands[first..].iter().map(|b| b.lines).sum();
            let need = groups[g].span.lines.len();
            if need > have {
                bands.last_mut().expect("a group has a band").lines += need - have;
            }
        }
        if bands.len() > first_band {
            let have: usize = bands[first_band..].iter().map(|b| b.lines).sum();
            let need = categories[ci].lines.len();
            if need > have {
                bands.last_mut().expect("a category has a band").lines += need - have;
            }
        }
    }
    Table {
        categories,
        groups,
        bands,
    }
}

/// A stretch of a band's lines on one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    pub band: usize,
    pub from: usize,
    pub to: usize,
}

impl Slice {
    pub fn lines(&self) -> usize {
        self.to - self.from
    }
}

/// Heights, in any one unit (mm for the PDF, points for the XLSX).
pub struct Geometry {
    /// One line of table text.
    pub line: f64,
    /// What a slice adds to its lines (cell padding).
    pub pad: f64,
    /// Room for table rows on the first page (below the title and the column headings).
    pub first: f64,
    /// Room for table rows on a following page (below the repeated headings).
    pub fresh: f64,
    /// The closing block that must follow the last band on its page.
    pub closing: f64,
    /// The most lines one slice may hold (a spreadsheet row is at most 409 pt high).
    pub max_slice: usize,
}

/// The slices of each page. A finding group that fits on a page is never split: it moves whole
/// to the next page. Within a group taller than a page, a band moves whole to the next page if
/// it is short (≤ 8 lines); a longer one is split. The last band keeps at least one line with
/// the closing.
pub fn paginate(bands: &[Band], g: &Geometry) -> Vec<Vec<Slice>> {
    let rooms = |left: f64| ((left - g.pad) / g.line).floor().max(0.0) as usize;
    let fresh_lines = rooms(g.fresh);
    let closing_lines = (g.closing / g.line).ceil() as usize;
    let mut pages: Vec<Vec<Slice>> = vec![Vec::new()];
    let mut left_h = g.first;
    for (bi, band) in bands.iter().enumerate() {
        let last = bi + 1 == bands.len();
        // A finding group that does not fit in what is left of the page, but would on a page of
        // its own, starts the next page: its cells are then never split.
        let starts_group = bi == 0 || bands[bi - 1].group != band.group;
        let open = pages.last().is_some_and(|p| !p.is_empty());
        if starts_group && open {
            let members = bands[bi..].iter().take_while(|b| b.group == band.group);
            let count = members.clone().count();
            let height: f64 = members.map(|b| g.pad + b.lines as f64 * g.line).sum();
            let tail = if bi + count == bands.len() { g.closing } else { 0.0 };
            if height + tail > left_h && height + tail <= g.fresh {
                pages.push(Vec::new());
                left_h = g.fresh;
            }
        }
        let mut from = 0;
        while from < band.lines {
            let left = band.lines - from;
            let room = rooms(left_h).min(g.max_slice);
            let fresh = pages.len() > 1 && pages.last().is_some_and(Vec::is_empty);
            // What must follow these lines on the same page: the closing, after the last band.
            let tail = if last { closing_lines } else { 0 };
            let take = if left + tail <= room {
                left
            } else if last && left > 1 && room >= 1 && (left > 8 || fresh) {
                // The band fits, or nearly, but the closing does not: its last line goes over
                // with the closing.
                room.min(left - 1)
            } else if !last && left <= room {
                left
            } else if room >= 2 && (left > fresh_lines.min(g.max_slice) || left > 8 || fresh) {
                room.min(left)
            } else if fresh {
                // Nothing fits better on a later page.
                left.min(room.max(1))
            } else {
                pages.push(Vec::new());
                left_h = g.fresh;
                continue;
            };
            pages.last_mut().expect("a page is open").push(Slice {
                band: bi,
                from,
                to: from + take,
            });
            left_h -= g.pad + take as f64 * g.line;
            from += take;
        }
    }
    pages
}

/// Runs of consecutive slices on a page that share `key` (a band, group or category), each
/// with how many lines it holds: where one spanning cell goes.
pub fn runs(slices: &[Slice], key: impl Fn(&Slice) -> usize) -> Vec<(usize, std::ops::Range<usize>, usize)> {
    let mut out: Vec<(usize, std::ops::Range<usize>, usize)> = Vec::new();
    for (i, s) in slices.iter().enumerate() {
        let k = key(s);
        match out.last_mut() {
            Some((last, range, lines)) if *last == k => {
                range.end = i + 1;
                *lines += s.lines();
            }
            _ => out.push((k, i..i + 1, s.lines())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(lines: usize) -> Band {
        grouped(0, lines)
    }

    fn grouped(group: usize, lines: usize) -> Band {
        Band {
            group,
            texts: Default::default(),
            cells: Default::default(),
            lines,
            due: None,
        }
    }

    fn slice(band: usize, from: usize, to: usize) -> Slice {
        Slice { band, from, to }
    }

    fn geometry() -> Geometry {
        Geometry {
            line: 1.0,
            pad: 0.0,
            first: 20.0,
            fresh: 30.0,
            closing: 4.0,
            max_slice: usize::MAX,
        }
    }

    #[test]
    fn short_bands_move_whole_and_long_ones_split() {
        let bands: Vec<Band> = [15, 6, 40, 1].into_iter().map(band).collect();
        let pages = paginate(&bands, &geometry());
        // 15 fit on page 1; 6 do not fit in the 5 left and move whole; 40 fill the rest of page
        // 2 and page 3; the last band is followed by the closing.
        assert_eq!(pages[0], vec![slice(0, 0, 15)]);
        assert_eq!(pages[1][0], slice(1, 0, 6));
        assert_eq!(pages[1][1], slice(2, 0, 24));
        for page in &pages {
            let lines: usize = page.iter().map(Slice::lines).sum();
            assert!(lines <= 30);
        }
        let total: usize = pages.iter().flatten().map(Slice::lines).sum();
        assert_eq!(total, 62, "every line placed once");
    }

    #[test]
    fn the_closing_always_has_table_lines_on_its_page() {
        for first in 5..40 {
            for sizes in [
                vec![1],
                vec![3, 2],
                vec![20],
                vec![8, 8, 8],
                vec![29],
                vec![30],
                vec![31],
            ] {
                let bands: Vec<Band> = sizes.iter().copied().map(band).collect();
                let g = Geometry {
                    first: first as f64,
                    ..geometry()
                };
                let pages = paginate(&bands, &g);
                let last = pages.last().unwrap();
                let used: usize = last.iter().map(Slice::lines).sum();
                assert!(!last.is_empty(), "{first} {sizes:?}");
                assert!(
                    used + 4 <= 30 || pages.len() == 1 && used + 4 <= first,
                    "{first} {sizes:?}: {used}"
                );
            }
        }
    }

    #[test]
    fn a_group_that_fits_on_a_page_moves_whole() {
        // Group 0 takes 15 of 20 lines; group 1 (3 + 4 lines) does not fit in the 5 left but
        // fits a page: it starts page 2 unsplit.
        let bands = vec![grouped(0, 15), grouped(1, 3), grouped(1, 4), grouped(2, 1)];
        let pages = paginate(&bands, &geometry());
        assert_eq!(pages[0], vec![slice(0, 0, 15)]);
        assert_eq!(pages[1][0], slice(1, 0, 3));
        assert_eq!(pages[1][1], slice(2, 0, 4));
        // A group taller than a page still starts where it is.
        let bands = vec![grouped(0, 15), grouped(1, 20), grouped(1, 20)];
        let pages = paginate(&bands, &geometry());
        assert_eq!(pages[0].len(), 2, "{pages:?}");
    }

    #[test]
    fn a_slice_never_exceeds_the_row_limit() {
        let bands: Vec<Band> = [70].into_iter().map(band).collect();
        let g = Geometry {
            fresh: 100.0,
            first: 100.0,
            max_slice: 25,
            ..geometry()
        };
        let pages = paginate(&bands, &g);
        assert!(pages.iter().flatten().all(|s| s.lines() <= 25), "{pages:?}");
        assert_eq!(pages.len(), 1);
    }

    #[test]
    fn a_cut_gives_back_the_text_with_its_line_breaks_and_spaces() {
        let text = "1. 整改 Excel 台账\n进度安排：2026年12月5日 起草";
        let lines = crate::export::text::wrap(text, 6.0, &|s| s.chars().count() as f64);
        assert!(lines.len() > 3, "{lines:?}");
        for k in 0..=lines.len() {
            let joined = format!("{}{}", cut(text, &lines, 0..k), cut(text, &lines, k..lines.len()));
            assert_eq!(joined, text, "cut after line {k}");
        }
        assert_eq!(cut(text, &lines, 0..lines.len()), text);
        assert_eq!(cut("", &[String::new()], 0..1), "");
    }

    #[test]
    fn runs_group_consecutive_slices() {
        let slices = [slice(0, 0, 2), slice(0, 2, 5), slice(1, 0, 1)];
        assert_eq!(runs(&slices, |s| s.band), vec![(0, 0..2, 5), (1, 2..3, 1)]);
    }
}
