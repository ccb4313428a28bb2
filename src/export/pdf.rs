//! PDF of 附件2 (landscape A4 table) and 附件3 (portrait A4 report).
//!
//! genpdf draws; the layout is ours. genpdf's tables have no spanning cells, no repeated header
//! and no page total, and its wrapper loses Chinese text (see `text`). So the whole document is
//! laid out here first, page by page, into text runs and lines measured with the real font, and
//! only then handed to genpdf as one element that prints a page per call. Knowing every page
//! before drawing is what lets each page say 第 N 页 共 M 页.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use genpdf::fonts::{FontCache, FontData, FontFamily};
use genpdf::style::{Color, Style};
use genpdf::{Context, Document, Element, Position, RenderResult, Size, render};
use sha2::{Digest, Sha256};

use super::font::{self, Faces, Role};
use super::layout::{self, CONTINUED, HEADINGS};
use super::text::{name_words, title_words, wrap_by};
use super::{
    BranchLedger, Checklist, DRAFT_MARK, REPORT_SIGNATURE_LINE, ReportDoc, SIGNATURE_LINE, Stamp, fixed_characters,
};

/// One thing to draw, in mm from the page's top-left corner.
#[derive(Debug, Clone)]
enum Draw {
    Text {
        x: f64,
        y: f64,
        size: u8,
        red: bool,
        /// The line cut into runs of one face each.
        runs: Vec<Run>,
    },
    Line {
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
    },
}

/// A piece of a line printed in one face: `dx` from the line's start, `dy` to put it on the
/// line's baseline (faces differ in ascent).
#[derive(Debug, Clone)]
struct Run {
    dx: f64,
    dy: f64,
    slot: Slot,
    s: String,
}

/// The document's one font family has four style slots; each holds one face (see
/// `document`), so a run picks its face by style: printpdf walks every code point once per
/// embedded font, so a second family would double the render time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

const SLOTS: [Slot; 4] = [Slot::Regular, Slot::Bold, Slot::Italic, Slot::BoldItalic];

impl Slot {
    fn of(self, family: &FontFamily<genpdf::fonts::Font>) -> genpdf::fonts::Font {
        match self {
            Slot::Regular => family.regular,
            Slot::Bold => family.bold,
            Slot::Italic => family.italic,
            Slot::BoldItalic => family.bold_italic,
        }
    }

    fn style(self, style: Style) -> Style {
        match self {
            Slot::Regular => style,
            Slot::Bold => style.bold(),
            Slot::Italic => style.italic(),
            Slot::BoldItalic => style.bold().italic(),
        }
    }
}

type Page = Vec<Draw>;

/// Which break points a text allows.
#[derive(Clone, Copy)]
enum Breaks {
    /// Between characters (with 避头尾) — running text.
    Text,
    /// Only between a title's fixed phrases.
    Title,
    /// Only between names.
    Names,
}

/// Font measurements, in mm, across the faces a document uses.
struct Metrics<'a> {
    cache: &'a FontCache,
    faces: &'static Faces,
    /// The document's font family, and the slot each face it embeds is in.
    family: FontFamily<genpdf::fonts::Font>,
    fonts: BTreeMap<usize, Slot>,
    /// The face that prints each character of the document, per role.
    choice: HashMap<(Role, char), usize>,
}

impl Metrics<'_> {
    fn font(&self, face: usize) -> genpdf::fonts::Font {
        self.fonts[&face].of(&self.family)
    }

    /// The face lines of this role are measured by (line height, baseline).
    fn primary(&self, role: Role) -> usize {
        let want = self.faces.primary(role);
        if self.fonts.contains_key(&want) {
            want
        } else {
            *self.fonts.keys().next().expect("a document embeds at least one face")
        }
    }

    /// `s` (already printable) cut into runs of one face each.
    fn runs(&self, s: &str, role: Role) -> Vec<(usize, String)> {
        let mut runs: Vec<(usize, String)> = Vec::new();
        let primary = self.primary(role);
        for c in s.chars() {
            let face = self.choice.get(&(role, c)).copied().unwrap_or(primary);
            match runs.last_mut() {
                Some((f, run)) if *f == face => run.push(c),
                _ => runs.push((face, c.to_string())),
            }
        }
        runs
    }

    fn width_in(&self, s: &str, size: u8, role: Role) -> f64 {
        self.runs(s, role)
            .iter()
            .map(|(face, run)| f64::from(self.font(*face).str_width(self.cache, run, size)))
            .sum()
    }

    fn width(&self, s: &str, size: u8) -> f64 {
        self.width_in(s, size, Role::Body)
    }

    fn line_height_in(&self, size: u8, role: Role) -> f64 {
        self.font(self.primary(role)).get_line_height(size).into()
    }

    fn line_height(&self, size: u8) -> f64 {
        self.line_height_in(size, Role::Body)
    }

    fn wrap(&self, s: &str, size: u8, max: f64) -> Vec<String> {
        self.wrap_as(s, size, max, Role::Body, Breaks::Text)
    }

    fn wrap_as(&self, s: &str, size: u8, max: f64, role: Role, breaks: Breaks) -> Vec<String> {
        let words: &dyn Fn(&str) -> Vec<String> = match breaks {
            Breaks::Text => &super::text::break_units,
            Breaks::Title => &title_words,
            Breaks::Names => &name_words,
        };
        wrap_by(&self.printable(s, role), max, &|u| self.width_in(u, size, role), words)
    }

    /// Text as the faces can print it. A tab is a space and other control characters go; a
    /// character no face prints (an emoji) is written as its code point, 〔U+1F600〕, rather
    /// than printed as an empty box and lost from the PDF's text.
    fn printable(&self, s: &str, role: Role) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '\n' => out.push('\n'),
                '\t' => out.push(' '),
                c if c.is_control() => {}
                c if c == ' ' || self.choice.contains_key(&(role, c)) => out.push(c),
                c => out.push_str(&format!("〔U+{:04X}〕", u32::from(c))),
            }
        }
        out
    }

    /// The height of a paragraph of `s` across `width` (lines × line height × `pitch`).
    fn paragraph_height(&self, s: &str, size: u8, width: f64, pitch: f64) -> f64 {
        self.wrap(s, size, width).len() as f64 * self.line_height(size) * pitch
    }

    /// A line to draw at (x, y): its runs placed on the baseline of the role's primary face.
    /// (Lines from `wrap_as` are printable already; a running head or footer is made so here.)
    fn text(&self, x: f64, y: f64, size: u8, red: bool, role: Role, s: &str) -> Draw {
        let printable = self.printable(s, role);
        let s = printable.as_str();
        let primary = self.font(self.primary(role));
        let base = f64::from(primary.glyph_height(size));
        let mut dx = 0.0;
        let mut runs = Vec::new();
        for (face, run) in self.runs(s, role) {
            let font = self.font(face);
            let w: f64 = font.str_width(self.cache, &run, size).into();
            runs.push(Run {
                dx,
                dy: base - f64::from(font.glyph_height(size)),
                slot: self.fonts[&face],
                s: run,
            });
            dx += w;
        }
        Draw::Text { x, y, size, red, runs }
    }
}

/// The printed pages, handed to genpdf one per `render` call.
struct Pages {
    pages: Vec<Page>,
    next: usize,
}

impl Element for Pages {
    fn render(
        &mut self, context: &Context, area: render::Area<'_>, style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        for draw in self.pages.get(self.next).into_iter().flatten() {
            match draw {
                Draw::Text { x, y, size, red, runs } => {
                    for run in runs {
                        let mut st = run.slot.style(style.with_font_size(*size));
                        if *red {
                            st = st.with_color(Color::Rgb(200, 30, 30));
                        }
                        let at = Position::new(*x + run.dx, *y + run.dy);
                        area.print_str(&context.font_cache, at, st, &run.s)?;
                    }
                }
                Draw::Line { x1, y1, x2, y2 } => {
                    area.draw_line(vec![Position::new(*x1, *y1), Position::new(*x2, *y2)], Style::new());
                }
            }
        }
        self.next += 1;
        Ok(RenderResult {
            size: area.size(),
            has_more: self.next < self.pages.len(),
        })
    }
}

/// Which character each glyph of a subset font stands for, for the PDF's ToUnicode map.
type GlyphChars = BTreeMap<u16, char>;

/// One face as embedded in a document: its subset and the glyphs' characters.
struct Embedded {
    face: usize,
    subset: Vec<u8>,
    glyphs: GlyphChars,
}

/// A document set in the faces that print `body` and `title` (the text of each role), each
/// face embedded as a subset of just the characters it prints.
struct Setting {
    doc: Document,
    embedded: Vec<Embedded>,
    fonts: BTreeMap<usize, Slot>,
    choice: HashMap<(Role, char), usize>,
}

fn document(body: &str, title: &str, paper: Size) -> anyhow::Result<Setting> {
    let faces = font::faces();
    let fixed = fixed_characters();
    let body: BTreeSet<char> = body.chars().chain(fixed.chars()).filter(|c| !c.is_control()).collect();
    // Titles and headings may be indented (U+3000) and may print a code point as 〔U+…〕.
    let title: BTreeSet<char> = title
        .chars()
        .chain("附件23\u{3000} 〔〕+0123456789ABCDEF".chars())
        .filter(|c| !c.is_control())
        .collect();
    // Which face prints each character; a font family holds four faces, so a document that
    // would need five (Song, Hei, Latin, HanaMin A and B) sets its Latin in the Song face.
    let assign = |latin: bool| {
        let mut choice = HashMap::new();
        let mut per_face: BTreeMap<usize, BTreeSet<char>> = BTreeMap::new();
        for (role, chars) in [(Role::Body, &body), (Role::Title, &title)] {
            for &c in chars {
                if let Some(face) = faces.choose_as(role, c, latin) {
                    choice.insert((role, c), face);
                    per_face.entry(face).or_default().insert(c);
                }
            }
            // The primary face is embedded even for a text it has no character of, so metrics
            // always have it.
            per_face.entry(faces.primary(role)).or_default();
        }
        (choice, per_face)
    };
    let (mut choice, mut per_face) = assign(true);
    if per_face.len() > SLOTS.len() {
        (choice, per_face) = assign(false);
    }
    let mut embedded = Vec::new();
    for (face, chars) in per_face {
        let subset = faces.get(face).subset(chars.iter().copied())?;
        // Several code points can share one glyph (不 U+4E0D and the compatibility ideograph
        // U+F967). printpdf maps each glyph back to the last such code point, so copied or
        // extracted text would hold look-alikes; the map is rebuilt from the characters
        // actually used, the lowest (canonical) code point first.
        let rt = rusttype::Font::from_bytes(subset.clone()).map_err(|e| anyhow::anyhow!("subset font: {e}"))?;
        let mut glyphs = GlyphChars::new();
        for c in chars {
            let id = rt.glyph(c).id().0;
            if id != 0 {
                glyphs.entry(u16::try_from(id)?).or_insert(c);
            }
        }
        embedded.push(Embedded { face, subset, glyphs });
    }
    // One family, a face per slot (there are at most four faces); a slot no face needs gets a
    // tiny font (dropped from the file after rendering) rather than a real one again.
    anyhow::ensure!(embedded.len() <= SLOTS.len(), "more faces than style slots");
    let mut data: Vec<FontData> = Vec::with_capacity(SLOTS.len());
    let mut fonts = BTreeMap::new();
    for (e, slot) in embedded.iter().zip(SLOTS) {
        data.push(FontData::new(e.subset.clone(), None)?);
        fonts.insert(e.face, slot);
    }
    while data.len() < SLOTS.len() {
        data.push(FontData::new(faces.get(0).subset(" ".chars())?, None)?);
    }
    let [regular, bold, italic, bold_italic]: [FontData; 4] =
        data.try_into().map_err(|_| anyhow::anyhow!("four fonts"))?;
    let mut doc = Document::new(FontFamily {
        regular,
        bold,
        italic,
        bold_italic,
    });
    doc.set_paper_size(paper);
    doc.set_minimal_conformance();
    Ok(Setting {
        doc,
        embedded,
        fonts,
        choice,
    })
}

fn metrics(setting: &Setting) -> Metrics<'_> {
    let cache = setting.doc.font_cache();
    Metrics {
        cache,
        faces: font::faces(),
        family: cache.default_font_family(),
        fonts: setting.fonts.clone(),
        choice: setting.choice.clone(),
    }
}

/// Renders the pages and shrinks the file (printpdf leaves every stream uncompressed).
fn finish(setting: Setting, pages: Vec<Page>, info: &Info) -> anyhow::Result<Vec<u8>> {
    let Setting { mut doc, embedded, .. } = setting;
    doc.push(Pages { pages, next: 0 });
    let mut raw = Vec::new();
    doc.render(&mut raw)?;
    let mut pdf = lopdf::Document::load_mem(&raw)?;
    name_fonts(&mut pdf, &embedded)?;
    set_info(&mut pdf, info)?;
    pdf.prune_objects();
    pdf.compress();
    let mut out = Vec::with_capacity(raw.len() / 4);
    pdf.save_to(&mut out)?;
    Ok(out)
}

/// printpdf names the fonts F0, F1, … in the order they were added: the family's regular,
/// bold, italic and bold-italic slots, which hold `embedded[0..]` in that order. Each gets its
/// real name with a subset tag (`ABCDEF+UMingCN`, so readers and pdffonts know it is a subset
/// of which face) and a ToUnicode map from the characters used. The slots left with the tiny
/// font are taken out of every page's resources (and then pruned).
fn name_fonts(pdf: &mut lopdf::Document, embedded: &[Embedded]) -> anyhow::Result<()> {
    let faces = font::faces();
    let named: HashMap<String, &Embedded> = embedded.iter().enumerate().map(|(k, e)| (format!("F{k}"), e)).collect();
    let mut type0 = Vec::new();
    for (id, obj) in &pdf.objects {
        let Ok(dict) = obj.as_dict() else { continue };
        if dict.get(b"Subtype").and_then(|o| o.as_name()).ok() == Some(b"Type0".as_slice()) {
            let base = String::from_utf8_lossy(dict.get(b"BaseFont")?.as_name()?).into_owned();
            type0.push((*id, base));
        }
    }
    for (id, base) in &type0 {
        let Some(e) = named.get(base) else { continue };
        let name = format!("{}+{}", subset_tag(&e.subset), faces.get(e.face).name).into_bytes();
        let dict = pdf.get_object_mut(*id)?.as_dict_mut()?;
        dict.set("BaseFont", lopdf::Object::Name(name.clone()));
        let to_unicode = dict.get(b"ToUnicode")?.as_reference()?;
        // printpdf writes the CID font inline: DescendantFonts [<< … >>].
        let cid = dict
            .get_mut(b"DescendantFonts")?
            .as_array_mut()?
            .first_mut()
            .ok_or_else(|| anyhow::anyhow!("a font without its CID font"))?
            .as_dict_mut()?;
        cid.set("BaseFont", lopdf::Object::Name(name.clone()));
        let descriptor = cid.get(b"FontDescriptor")?.as_reference()?;
        pdf.get_object_mut(descriptor)?
            .as_dict_mut()?
            .set("FontName", lopdf::Object::Name(name));
        pdf.get_object_mut(to_unicode)?
            .as_stream_mut()?
            .set_plain_content(to_unicode_cmap(&e.glyphs).into_bytes());
    }
    // Drop the unused slots from every font resource dictionary.
    let unused: Vec<Vec<u8>> = type0
        .iter()
        .filter(|(_, base)| !named.contains_key(base))
        .map(|(_, base)| base.clone().into_bytes())
        .collect();
    // A resource dictionary holds /Font << /F0 … >> inline or by reference.
    let mut font_dicts = Vec::new();
    for (id, obj) in &pdf.objects {
        let Ok(dict) = obj.as_dict() else { continue };
        match dict.get(b"Font") {
            Ok(lopdf::Object::Reference(r)) => font_dicts.push(*r),
            Ok(lopdf::Object::Dictionary(_)) => font_dicts.push(*id),
            _ => {}
        }
    }
    for id in font_dicts {
        let dict = pdf.get_object_mut(id)?.as_dict_mut()?;
        let fonts = match dict.get_mut(b"Font") {
            Ok(lopdf::Object::Dictionary(inner)) => inner,
            _ => dict,
        };
        for name in &unused {
            fonts.remove(name);
        }
    }
    Ok(())
}

/// Six capital letters that name a subset (PDF 32000 9.6.4), the same for the same subset.
fn subset_tag(subset: &[u8]) -> String {
    Sha256::digest(subset)
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

/// What the PDF says of itself (its document information dictionary).
struct Info {
    title: String,
    /// Whose document it is.
    author: String,
    /// The campaign.
    subject: String,
}

/// Writes the document information: title (readers' title bars, search), author and subject as
/// UTF-16BE with the byte-order mark — printpdf writes text strings as raw UTF-8, which readers
/// decode as PDFDocEncoding (mojibake for Chinese) — and drops printpdf's empty
/// /GTS_PDFXVersion, which makes some readers report the file as PDF/X.
fn set_info(pdf: &mut lopdf::Document, info: &Info) -> anyhow::Result<()> {
    let id = match pdf.trailer.get(b"Info").and_then(|o| o.as_reference()) {
        Ok(id) => id,
        Err(_) => {
            let id = pdf.add_object(lopdf::Dictionary::new());
            pdf.trailer.set("Info", id);
            id
        }
    };
    let text = |s: &str| {
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        lopdf::Object::String(bytes, lopdf::StringFormat::Hexadecimal)
    };
    let dict = pdf.get_object_mut(id)?.as_dict_mut()?;
    dict.set("Title", text(&info.title));
    dict.set("Author", text(&info.author));
    dict.set("Subject", text(&info.subject));
    let empty_pdfx = dict
        .get(b"GTS_PDFXVersion")
        .and_then(|o| o.as_str())
        .is_ok_and(|v| v.is_empty());
    if empty_pdfx {
        dict.remove(b"GTS_PDFXVersion");
    }
    Ok(())
}

/// A ToUnicode CMap: 2-byte glyph ids to UTF-16 (surrogate pairs beyond the BMP).
fn to_unicode_cmap(glyphs: &GlyphChars) -> String {
    let mut s = String::from(concat!(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n",
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n",
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    ));
    let entries: Vec<(&u16, &char)> = glyphs.iter().collect();
    for block in entries.chunks(100) {
        s.push_str(&format!("{} beginbfchar\n", block.len()));
        for (gid, c) in block {
            let mut units = [0u16; 2];
            let utf16: String = c.encode_utf16(&mut units).iter().map(|u| format!("{u:04X}")).collect();
            s.push_str(&format!("<{gid:04X}> <{utf16}>\n"));
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

/// Page geometry and the running position while laying out.
struct Sheet<'m, 'c> {
    m: &'m Metrics<'c>,
    width: f64,
    left: f64,
    right: f64,
    top: f64,
    /// Where content must end (the footer lives below).
    bottom: f64,
    pages: Vec<Page>,
    /// Which pages are a 草稿 (a committee's bundle can mix signed and unsigned branches).
    draft: Vec<bool>,
    /// Printed at the top of each following page (whose branch a loose page belongs to).
    running_head: Option<String>,
    y: f64,
    /// Paragraph lines laid out so far.
    lines: usize,
    /// The paragraph line that must start a page (to take body text along with a closing
    /// block that would otherwise stand alone).
    break_before: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Center,
    Right,
}

impl<'m, 'c> Sheet<'m, 'c> {
    fn new(m: &'m Metrics<'c>, (width, height): (f64, f64), (top, right, bottom, left): (f64, f64, f64, f64)) -> Self {
        Sheet {
            m,
            width,
            left,
            right: width - right,
            top,
            bottom: height - bottom,
            pages: Vec::new(),
            draft: Vec::new(),
            running_head: None,
            y: top,
            lines: 0,
            break_before: None,
        }
    }

    fn content_width(&self) -> f64 {
        self.right - self.left
    }

    fn new_page(&mut self, draft: bool) {
        self.pages.push(Vec::new());
        self.draft.push(draft);
        self.y = self.top;
        if let Some(head) = self.running_head.clone() {
            let (left, top) = (self.left, self.top);
            self.text_at(left, top, RUNNING_HEAD, &head);
            self.y += self.running_head_height();
        }
    }

    fn running_head_height(&self) -> f64 {
        if self.running_head.is_some() {
            self.m.line_height(RUNNING_HEAD) + 1.5
        } else {
            0.0
        }
    }

    fn draw(&mut self, d: Draw) {
        self.pages.last_mut().expect("a page is open").push(d);
    }

    fn text_at(&mut self, x: f64, y: f64, size: u8, s: &str) {
        self.text_as(x, y, size, Role::Body, s);
    }

    fn text_as(&mut self, x: f64, y: f64, size: u8, role: Role, s: &str) {
        if !s.is_empty() {
            let d = self.m.text(x, y, size, false, role, s);
            self.draw(d);
        }
    }

    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64) {
        self.draw(Draw::Line { x1, y1, x2, y2 });
    }

    /// A paragraph across the content width, flowing onto new pages as needed. `pitch` is the
    /// distance between lines as a multiple of the font's line height.
    fn paragraph(&mut self, s: &str, size: u8, align: Align, pitch: f64) {
        self.paragraph_as(s, size, align, pitch, Role::Body, Breaks::Text);
    }

    /// A paragraph in a role's faces, breaking only where `breaks` allows. Body lines are
    /// counted; the line numbered `break_before` starts a new page (see `report_pages`).
    fn paragraph_as(&mut self, s: &str, size: u8, align: Align, pitch: f64, role: Role, breaks: Breaks) {
        let lh = self.m.line_height_in(size, role) * pitch;
        let draft = *self.draft.last().unwrap_or(&false);
        for line in self.m.wrap_as(s, size, self.content_width(), role, breaks) {
            if self.y + lh > self.bottom || self.break_before == Some(self.lines) {
                self.new_page(draft);
            }
            self.lines += 1;
            let w = self.m.width_in(&line, size, role);
            let x = match align {
                Align::Left => self.left,
                Align::Center => self.left + (self.content_width() - w) / 2.0,
                Align::Right => self.right - w,
            };
            let y = self.y;
            self.text_as(x, y, size, role, &line);
            self.y += lh;
        }
    }

    fn space(&mut self, mm: f64) {
        self.y += mm;
    }

    /// Starts a new page unless `mm` still fits on this one; says whether it did.
    fn keep(&mut self, mm: f64) -> bool {
        if self.y + mm > self.bottom {
            let draft = *self.draft.last().unwrap_or(&false);
            self.new_page(draft);
            true
        } else {
            false
        }
    }

    /// 第 N 页 共 M 页, the verification code (when the document has one), and 草稿 marks, once
    /// every page is known.
    fn stamp(&mut self, stamp: Option<&Stamp>) {
        let total = self.pages.len();
        let size = 9;
        let y = self.bottom + 4.0;
        let code = stamp.map(Stamp::footer_words).unwrap_or_default();
        // The code goes left of the page number, or under it where the page is too narrow.
        let code_y = if self.left + self.m.width(&code, size) + 4.0
            > (self.width - self.m.width("第 99 页 共 99 页", size)) / 2.0
        {
            y + self.m.line_height(size) + 0.5
        } else {
            y
        };
        for i in 0..total {
            let n = format!("第 {} 页 共 {} 页", i + 1, total);
            let n_x = (self.width - self.m.width(&n, size)) / 2.0;
            let draft = self.draft[i];
            let page = &mut self.pages[i];
            page.push(self.m.text(n_x, y, size, false, Role::Body, &n));
            if !code.is_empty() {
                page.push(self.m.text(self.left, code_y, size, false, Role::Body, &code));
            }
            if draft {
                let mark = DRAFT_MARK;
                let w = self.m.width(mark, 14);
                let mark_y = self.top - self.m.line_height(14) - 2.0;
                page.push(self.m.text(self.right - w, mark_y, 14, true, Role::Body, mark));
            }
        }
    }
}

const RUNNING_HEAD: u8 = 10;
const A4_LANDSCAPE: (f64, f64) = (297.0, 210.0);
const A4_PORTRAIT: (f64, f64) = (210.0, 297.0);

/// 附件2 as a PDF: each branch starts on a new page.
pub fn checklist(doc: &Checklist, stamp: &Stamp) -> anyhow::Result<Vec<u8>> {
    let setting = document(
        &format!("{}{}", doc.characters(), stamp.footer_words()),
        &doc.title,
        Size::new(297, 210),
    )?;
    let pages = checklist_pages(&metrics(&setting), doc, stamp);
    // Whose document it is: the branch's for one branch, else the committee's.
    let author = match doc.branches.as_slice() {
        [one] => one.branch_name.clone(),
        _ => doc.committee_name.clone(),
    };
    let info = Info {
        title: format!("附件2 {author} · {}", doc.title),
        author,
        subject: doc.campaign_title.clone(),
    };
    finish(setting, pages, &info)
}

fn checklist_pages(m: &Metrics<'_>, doc: &Checklist, stamp: &Stamp) -> Vec<Page> {
    let mut sheet = Sheet::new(m, A4_LANDSCAPE, (16.0, 15.0, 14.0, 15.0));
    for branch in &doc.branches {
        branch_pages(&mut sheet, doc, branch);
    }
    if doc.branches.is_empty() {
        sheet.new_page(true);
        sheet.paragraph_as(&doc.title, 16, Align::Center, 1.2, Role::Title, Breaks::Title);
        sheet.paragraph("（没有党支部）", 12, Align::Left, 1.4);
    }
    sheet.stamp(Some(stamp));
    sheet.pages
}

/// Column weights of 查摆内容 | 查摆问题 | 整改措施 | 整改时限 | 责任人.
const COLUMNS: [f64; 5] = [14.0, 40.0, 45.0, 16.0, 13.0];
const BODY: u8 = 10;
const PAD_X: f64 = 1.6;
const PAD_Y: f64 = 1.3;

fn branch_pages(sheet: &mut Sheet<'_, '_>, doc: &Checklist, branch: &BranchLedger) {
    let draft = branch.sign_off.is_none();
    sheet.running_head = None;
    sheet.new_page(draft);
    // Every later page of this branch names it (a loose page of a committee's bundle must say
    // whose it is).
    sheet.running_head = Some(format!("{}（续）", branch.unit_line()));
    sheet.paragraph_as("附件2", 14, Align::Left, 1.3, Role::Title, Breaks::Text);
    sheet.paragraph_as(&doc.title, 18, Align::Center, 1.3, Role::Title, Breaks::Title);
    sheet.space(2.0);
    sheet.paragraph(&format!("党总支（党委）：{}", doc.committee_name), 12, Align::Left, 1.4);
    sheet.paragraph(&branch.unit_line(), 12, Align::Left, 1.4);
    sheet.space(1.5);

    let total: f64 = COLUMNS.iter().sum();
    let mut xs = vec![sheet.left];
    for w in COLUMNS {
        xs.push(xs.last().unwrap() + sheet.content_width() * w / total);
    }
    let inner = |i: usize| xs[i + 1] - xs[i] - 2.0 * PAD_X;
    let m = sheet.m;
    let lh = m.line_height(BODY);
    let table = layout::table(branch, &|col, text| {
        let breaks = if col == 4 { Breaks::Names } else { Breaks::Text };
        m.wrap_as(text, BODY, inner(col), Role::Body, breaks)
    });

    // The sign-off record and the line for signature and seal follow the table; they never
    // stand alone on a page: the last band keeps at least one line with them.
    let sign_words = branch.record_words();
    let width = sheet.content_width();
    let closing = 4.0 + m.paragraph_height(&sign_words, 11, width, 1.4) + 8.0 + m.line_height(12) * 1.4;
    let header_height = lh + 2.0 * PAD_Y;
    let label_height = sheet.running_head_height();
    let pages = layout::paginate(
        &table.bands,
        &layout::Geometry {
            line: lh,
            pad: 2.0 * PAD_Y,
            first: sheet.bottom - sheet.y - header_height,
            fresh: sheet.bottom - sheet.top - label_height - header_height,
            closing,
            max_slice: usize::MAX,
        },
    );

    // Draw each page of the table.
    let mut printed_groups = vec![0; table.groups.len()];
    let mut printed_categories = vec![0; table.categories.len()];
    for (pi, slices) in pages.iter().enumerate() {
        if pi > 0 {
            sheet.new_page(draft);
        }
        let top = sheet.y;
        // Column headings.
        for (i, h) in HEADINGS.iter().enumerate() {
            let w = m.width(h, BODY + 1);
            let x = xs[i] + (xs[i + 1] - xs[i] - w) / 2.0;
            sheet.text_at(x, top + PAD_Y, BODY + 1, h);
        }
        sheet.line(xs[0], top, xs[5], top);
        let mut bottom = top + header_height;
        sheet.line(xs[0], bottom, xs[5], bottom);
        let mut ys = Vec::with_capacity(slices.len());
        for (si, s) in slices.iter().enumerate() {
            let y = bottom;
            ys.push(y);
            let band = &table.bands[s.band];
            for (col, cell) in band.cells.iter().enumerate() {
                for (k, line) in cell.iter().enumerate().take(s.to).skip(s.from) {
                    let ly = y + PAD_Y + (k - s.from) as f64 * lh;
                    sheet.text_at(xs[col + 2] + PAD_X, ly, BODY, line);
                }
            }
            bottom = y + 2.0 * PAD_Y + s.lines() as f64 * lh;
            // The rule under this slice reaches as far left as the next slice differs.
            let group = |s: &layout::Slice| table.bands[s.band].group;
            let from_col = match slices.get(si + 1) {
                Some(n) if group(n) == band.group => 2,
                Some(n) if table.groups[group(n)].category == table.groups[band.group].category => 1,
                _ => 0,
            };
            sheet.line(xs[from_col], bottom, xs[5], bottom);
        }
        // The spanning cells: a finding over its run of slices, a category over its findings.
        let group_of = |s: &layout::Slice| table.bands[s.band].group;
        for (g, range, capacity) in layout::runs(slices, group_of) {
            let continued = pi > 0 && range.start == 0;
            let span = &table.groups[g].span;
            span_text(
                sheet,
                span,
                &mut printed_groups[g],
                capacity,
                xs[1],
                ys[range.start],
                continued,
            );
        }
        let category_of = |s: &layout::Slice| table.groups[group_of(s)].category;
        for (c, range, capacity) in layout::runs(slices, category_of) {
            let continued = pi > 0 && range.start == 0;
            let span = &table.categories[c];
            span_text(
                sheet,
                span,
                &mut printed_categories[c],
                capacity,
                xs[0],
                ys[range.start],
                continued,
            );
        }
        for x in &xs {
            sheet.line(*x, top, *x, bottom);
        }
        sheet.y = bottom;
    }

    sheet.keep(closing);
    sheet.space(4.0);
    sheet.paragraph(&sign_words, 11, Align::Left, 1.4);
    sheet.space(8.0);
    sheet.paragraph(SIGNATURE_LINE, 12, Align::Left, 1.4);
}

/// Prints the next lines of a spanning cell (`printed` of them are already) into a run of
/// `capacity` lines at (x, y). A run at the top of a continuation page whose text is already
/// printed says so.
fn span_text(
    sheet: &mut Sheet<'_, '_>, span: &layout::Span, printed: &mut usize, capacity: usize, x: f64, y: f64,
    continued: bool,
) {
    let lh = sheet.m.line_height(BODY);
    match span.next_lines(printed, capacity) {
        Some(range) => {
            for (k, line) in span.lines[range].iter().enumerate() {
                sheet.text_at(x + PAD_X, y + PAD_Y + k as f64 * lh, BODY, line);
            }
        }
        None if continued => sheet.text_at(x + PAD_X, y + PAD_Y, BODY, CONTINUED),
        None => {}
    }
}

/// 附件3 as a PDF.
pub fn report(doc: &ReportDoc, stamp: &Stamp) -> anyhow::Result<Vec<u8>> {
    let setting = document(
        &format!("{}{}", doc.characters(), stamp.footer_words()),
        &report_title_text(doc),
        Size::new(210, 297),
    )?;
    let pages = report_pages(&metrics(&setting), doc, stamp);
    let info = Info {
        title: format!("附件3 {}", doc.title),
        author: doc.committee_name.clone(),
        subject: doc.campaign_title.clone(),
    };
    finish(setting, pages, &info)
}

/// A unit's summary for a 书记述职评议: a title, lines under it, headed sections; page numbers,
/// no verification code (it is a working paper, not a document handed in).
pub fn summary(doc: &crate::export::SummaryDoc) -> anyhow::Result<Vec<u8>> {
    let setting = document(&doc.characters(), &doc.title_text(), Size::new(210, 297))?;
    let m = metrics(&setting);
    let mut sheet = Sheet::new(&m, A4_PORTRAIT, (30.0, 26.0, 25.0, 28.0));
    sheet.new_page(false);
    sheet.paragraph_as(&doc.title, 18, Align::Center, 1.3, Role::Title, Breaks::Title);
    sheet.space(3.0);
    for line in &doc.meta {
        sheet.paragraph(line, 11, Align::Center, 1.4);
    }
    sheet.space(5.0);
    let lh = m.line_height(14) * 1.5;
    for (heading, lines) in &doc.sections {
        sheet.keep(lh * 3.0);
        sheet.paragraph_as(heading, 14, Align::Left, 1.5, Role::Title, Breaks::Text);
        for line in lines {
            sheet.paragraph(&format!("\u{3000}\u{3000}{line}"), 13, Align::Left, 1.5);
        }
        sheet.space(2.0);
    }
    sheet.stamp(None);
    let pages = sheet.pages;
    let info = Info {
        title: doc.title.clone(),
        author: doc.unit_name.clone(),
        subject: doc.campaign_title.clone(),
    };
    finish(setting, pages, &info)
}

/// What the report sets in the heavier face: its title and the section headings (一、…).
fn report_title_text(doc: &ReportDoc) -> String {
    doc.sections.iter().fold(doc.title.clone(), |mut s, (h, _)| {
        s.push_str(h);
        s
    })
}

/// Title about 二号, body about 三号 (GB/T 9704).
const REPORT_TITLE: u8 = 22;
const REPORT_BODY: u8 = 16;

/// The report's pages. The 落款 (unit and date), the signature record and the signature line
/// never stand alone on a page: when they would, the body's last lines go over with them.
fn report_pages(m: &Metrics<'_>, doc: &ReportDoc, stamp: &Stamp) -> Vec<Page> {
    let first = report_layout(m, doc, stamp, None);
    if !first.closing_alone {
        return first.pages;
    }
    // Take the last two body lines along, one more for each heading that would be left behind.
    let mut at = first.body_lines.saturating_sub(2);
    while at > 0 && first.headings.contains(&(at - 1)) {
        at -= 1;
    }
    report_layout(m, doc, stamp, Some(at)).pages
}

struct ReportLayout {
    pages: Vec<Page>,
    /// The closing block had to start a page of its own.
    closing_alone: bool,
    /// Body lines laid out, and which of them are section headings.
    body_lines: usize,
    headings: Vec<usize>,
}

fn report_layout(m: &Metrics<'_>, doc: &ReportDoc, stamp: &Stamp, break_before: Option<usize>) -> ReportLayout {
    let mut sheet = Sheet::new(m, A4_PORTRAIT, (30.0, 26.0, 25.0, 28.0));
    sheet.new_page(!doc.is_signed());
    sheet.paragraph_as("附件3", 14, Align::Left, 1.3, Role::Title, Breaks::Text);
    sheet.space(4.0);
    sheet.paragraph_as(&doc.title, REPORT_TITLE, Align::Center, 1.3, Role::Title, Breaks::Title);
    sheet.space(6.0);
    sheet.lines = 0;
    sheet.break_before = break_before;
    let body = REPORT_BODY;
    let lh = m.line_height(body) * 1.5;
    let mut headings = Vec::new();
    for p in doc.paragraphs() {
        if p.heading {
            // A heading is never left alone at the foot of a page: it keeps two lines with it.
            sheet.keep(lh * 3.0);
            headings.push(sheet.lines);
            sheet.paragraph_as(&p.text, body, Align::Left, 1.5, Role::Title, Breaks::Text);
        } else {
            sheet.paragraph(&p.text, body, Align::Left, 1.5);
        }
    }
    let body_lines = sheet.lines;
    // The unit and its one date line (the report date; blank on a draft, to be written by
    // hand), the signature record and the line for signature and seal, on one page.
    let record = doc.record();
    let closing = 12.0
        + lh * 2.0
        + 8.0
        + m.paragraph_height(record, 11, sheet.content_width(), 1.4)
        + 6.0
        + m.paragraph_height(REPORT_SIGNATURE_LINE, 12, sheet.content_width(), 1.4);
    let closing_alone = sheet.keep(closing);
    sheet.space(12.0);
    let unit = &doc.committee_name;
    sheet.paragraph(unit, body, Align::Right, 1.5);
    sheet.paragraph(doc.date_line(), body, Align::Right, 1.5);
    sheet.space(8.0);
    sheet.paragraph(record, 11, Align::Left, 1.4);
    sheet.space(6.0);
    sheet.paragraph(REPORT_SIGNATURE_LINE, 12, Align::Left, 1.4);
    sheet.stamp(Some(stamp));
    ReportLayout {
        pages: sheet.pages,
        closing_alone,
        body_lines,
        headings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::text::may_not_start_line;
    use crate::export::{BranchLedger, CategoryBlock, FindingLine, MeasureLine, REPORT_DRAFT_WORDS};

    fn line(runs: &[Run]) -> String {
        runs.iter().map(|r| r.s.as_str()).collect()
    }

    fn texts(pages: &[Page]) -> Vec<String> {
        pages
            .iter()
            .flatten()
            .filter_map(|d| match d {
                Draw::Text { runs, .. } => Some(line(runs)),
                Draw::Line { .. } => None,
            })
            .collect()
    }

    /// The printed text without what every page repeats (footer, draft mark, table header).
    fn content(pages: &[Page]) -> String {
        let repeated =
            |t: &str| t.starts_with("第 ") || t.contains("验证码") || t == DRAFT_MARK || HEADINGS.contains(&t);
        squeeze(&texts(pages).into_iter().filter(|t| !repeated(t)).collect::<String>())
    }

    /// The lines printed in one column of the 附件2 table.
    fn column(pages: &[Page], col: usize) -> String {
        let total: f64 = COLUMNS.iter().sum();
        let x = 15.0 + 267.0 * COLUMNS[..col].iter().sum::<f64>() / total + PAD_X;
        let lines = pages.iter().flatten().filter_map(|d| match d {
            Draw::Text { x: tx, runs, .. } if (tx - x).abs() < 0.01 && line(runs) != CONTINUED => Some(line(runs)),
            _ => None,
        });
        squeeze(&lines.collect::<String>())
    }

    fn squeeze(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn stamp() -> Stamp {
        Stamp {
            code: "ABCDE-FGHJK".into(),
            verify_url: "/verify".into(),
        }
    }

    /// A finding long enough to run over several pages, and measures with rare name characters.
    fn doc() -> Checklist {
        let long =
            "党支部委员会没有发挥日常工作领导机构作用（见2022年Excel台账第12.5项），“三会一课”记录过简；".repeat(45);
        let measures = (1..=12)
            .map(|i| MeasureLine {
                text: format!("{i}. 支委会逐项整改，于每月“主题党日”通报进度（第{i}次）。"),
                deadline: "2022年10月31日".into(),
                owner: "王喆、李堃、张玥".into(),
                due: None,
            })
            .collect();
        Checklist {
            title: "潍坊学院党支部对账整改专项行动自查问题、整改与责任清单".into(),
            committee_name: "计算机工程学院党委".into(),
            campaign_title: "2022年".into(),
            branches: vec![BranchLedger {
                branch_name: "刘昇陈赟周珺党支部".into(),
                level: crate::domain::units::Level::Branch,
                categories: vec![
                    CategoryBlock {
                        heading: "1. 党支部设置和调整不规范".into(),
                        findings: vec![FindingLine {
                            text: format!("1. {long}"),
                            measures,
                        }],
                        own_items: 1,
                        others: None,
                    },
                    CategoryBlock {
                        heading: "2. 组织生活制度执行不严格".into(),
                        findings: Vec::new(),
                        own_items: 1,
                        others: None,
                    },
                ],
                sign_off: None,
                state: "填报中".into(),
                submitted: false,
            }],
        }
    }

    #[test]
    fn every_character_of_a_long_finding_is_printed_in_order_across_pages() {
        let doc = doc();
        let setting = document(&doc.characters(), &doc.title, Size::new(297, 210)).unwrap();
        let pages = checklist_pages(&metrics(&setting), &doc, &stamp());
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let finding = &doc.branches[0].categories[0].findings[0];
        assert_eq!(
            column(&pages, 1),
            squeeze(&format!("{}{}", finding.text, crate::export::NOT_ENTERED)),
            "findings, whole and in order"
        );
        let measures: String = finding.measures.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(column(&pages, 2), squeeze(&measures), "measures, whole and in order");
        assert!(column(&pages, 4).contains("王喆、李堃、张玥"));
        let all = content(&pages);
        let n = pages.len();
        for (i, page) in pages.iter().enumerate() {
            let words = squeeze(&texts(std::slice::from_ref(page)).concat());
            assert!(
                words.contains(&squeeze(&format!("第 {} 页 共 {n} 页", i + 1))),
                "page {i}"
            );
            assert!(words.contains("ABCDE-FGHJK"), "the code is on page {i}");
            let table =
                !column(std::slice::from_ref(page), 1).is_empty() || !column(std::slice::from_ref(page), 2).is_empty();
            if table {
                assert!(
                    words.contains("查摆内容查摆问题整改措施整改时限责任人"),
                    "header on page {i}"
                );
            }
            assert!(words.contains("草稿·未签发"), "the draft mark on page {i}");
        }
        assert!(all.contains("2.组织生活制度执行不严格"));
    }

    #[test]
    fn a_committee_bundle_marks_only_the_unsigned_branches_pages_and_names_the_branch_on_each() {
        let mut signed = doc().branches.remove(0);
        signed.branch_name = "已签发支部".into();
        signed.sign_off = Some(crate::export::SignOff {
            signer: "李书记".into(),
            at: "2022-10-18 10:30".into(),
            four_in_place: true,
            comment: String::new(),
        });
        let mut bundle = doc();
        bundle.branches.insert(0, signed);
        let setting = document(&bundle.characters(), &bundle.title, Size::new(297, 210)).unwrap();
        let pages = checklist_pages(&metrics(&setting), &bundle, &stamp());
        let mut seen_unsigned = false;
        for (i, page) in pages.iter().enumerate() {
            let words = squeeze(&texts(std::slice::from_ref(page)).concat());
            seen_unsigned |= words.contains("刘昇陈赟周珺党支部");
            let marked = words.contains("草稿·未签发");
            assert_eq!(
                marked, seen_unsigned,
                "page {i}: only the unsigned branch's pages are drafts"
            );
            assert!(
                words.contains("党支部名称：已签发支部") || words.contains("党支部名称：刘昇陈赟周珺党支部"),
                "page {i} names its branch"
            );
        }
        assert!(seen_unsigned);
    }

    #[test]
    fn rare_characters_print_from_a_fallback_face_and_one_no_face_has_as_its_code_point() {
        let mut doc = doc();
        doc.branches[0].categories[1].findings.push(FindingLine {
            text: "1. 生僻字𠮷䶮，38℃，表情🫨，制表\t符".into(),
            measures: Vec::new(),
        });
        let setting = document(&doc.characters(), &doc.title, Size::new(297, 210)).unwrap();
        let all = column(&checklist_pages(&metrics(&setting), &doc, &stamp()), 1);
        assert!(all.contains("生僻字𠮷䶮，38℃，表情〔U+1FAE8〕，制表符"), "{all}");
    }

    #[test]
    fn a_document_needing_five_faces_sets_its_latin_in_the_song_face() {
        // 㐂 is HanaMin A's alone, 𠀁 HanaMin B's; with Song, Hei and Latin that is five faces.
        let setting = document("㐂𠀁 Excel 12 党支部", "标题", Size::new(210, 297)).unwrap();
        assert_eq!(setting.embedded.len(), 4);
        let m = metrics(&setting);
        let faces = font::faces();
        let name = |c| faces.get(m.choice[&(Role::Body, c)]).name;
        assert_eq!(name('E'), "UMingCN");
        assert!(name('㐂').starts_with("HanaMin") && name('𠀁').starts_with("HanaMin"));
        let all = document("Excel 12 党支部", "标题", Size::new(210, 297)).unwrap();
        assert_eq!(faces.get(all.choice[&(Role::Body, 'E')]).name, "LiberationSerif");
    }

    #[test]
    fn the_unicode_map_names_each_glyph_by_the_character_used() {
        let mut glyphs = GlyphChars::new();
        glyphs.insert(3, '不');
        glyphs.insert(4, '𠮷');
        let cmap = to_unicode_cmap(&glyphs);
        assert!(cmap.contains("<0003> <4E0D>"), "{cmap}");
        assert!(cmap.contains("<0004> <D842DFB7>"), "surrogate pair: {cmap}");
        assert!(cmap.contains("2 beginbfchar"));
    }

    #[test]
    fn no_printed_line_starts_with_closing_punctuation() {
        let doc = doc();
        let setting = document(&doc.characters(), &doc.title, Size::new(297, 210)).unwrap();
        for line in texts(&checklist_pages(&metrics(&setting), &doc, &stamp())) {
            let first = line.chars().next().unwrap();
            assert!(!may_not_start_line(first), "{line}");
        }
    }

    #[test]
    fn the_report_prints_its_sections_and_a_draft_says_so() {
        let body = "本党委组织各党支部逐项对照附件1开展自查，（一）召开专题会议；（二）逐支部审核。".repeat(30);
        let mut doc = report_of(10, 1, false);
        for section in &mut doc.sections {
            section.1 = body.clone();
        }
        let setting = document(&doc.characters(), &report_title_text(&doc), Size::new(210, 297)).unwrap();
        let pages = report_pages(&metrics(&setting), &doc, &stamp());
        let all = content(&pages);
        for h in crate::export::SECTION_HEADINGS {
            assert!(all.contains(h));
        }
        assert_eq!(all.matches(&squeeze(&body)).count(), 3);
        assert!(all.contains(&squeeze(REPORT_DRAFT_WORDS)));
        assert!(
            !all.contains("〔U+"),
            "every character of the headings has a face: {all}"
        );
        for line in texts(&pages) {
            assert!(!may_not_start_line(line.chars().next().unwrap()), "{line}");
        }
    }

    /// The lines a page prints besides what every page repeats and the closing block.
    fn body_lines_of(page: &Page, closing: &[&str]) -> Vec<String> {
        texts(std::slice::from_ref(page))
            .into_iter()
            .filter(|t| {
                !(t.starts_with("第 ")
                    || t.contains("验证码")
                    || t == DRAFT_MARK
                    || HEADINGS.contains(&t.as_str())
                    || t.ends_with("（续）")
                    || closing.iter().any(|c| squeeze(c).contains(&squeeze(t))))
            })
            .collect()
    }

    fn report_of(paragraph_chars: usize, paragraphs: usize, signed: bool) -> ReportDoc {
        let sentence = "本党委组织各党支部逐项对照附件1开展自查，召开专题会议，逐支部审核台账。";
        let text: String = sentence.chars().cycle().take(paragraph_chars).collect();
        let body = vec![text; paragraphs].join("\n");
        ReportDoc {
            title: "计算机工程学院党委开展党支部对账整改专项行动情况的报告".into(),
            committee_name: "计算机工程学院党委".into(),
            campaign_title: "2022年".into(),
            sections: crate::export::SECTION_HEADINGS
                .iter()
                .map(|h| (h.to_string(), body.clone()))
                .collect(),
            signer_name: "李明".into(),
            date: if signed {
                "2022年10月20日".into()
            } else {
                String::new()
            },
            signature: signed.then(|| {
                "签署记录：党组织负责人李明；李明于2022-10-18 10:30在系统中确认签署，报告日期以落款为准。".into()
            }),
        }
    }

    #[test]
    fn the_reports_closing_block_always_shares_its_page_with_body_text() {
        let mut moved = 0;
        // Every report of the sweep has the same characters: one font setting serves all.
        let any = report_of(200, 1, true);
        let setting = document(&any.characters(), &report_title_text(&any), Size::new(210, 297)).unwrap();
        let m = metrics(&setting);
        for paragraphs in 1..=3 {
            for chars in (20..=1200).step_by(23) {
                for signed in [true, false] {
                    let doc = report_of(chars, paragraphs, signed);
                    moved += usize::from(report_layout(&m, &doc, &stamp(), None).closing_alone);
                    let pages = report_pages(&m, &doc, &stamp());
                    let record = doc.signature.clone().unwrap_or_else(|| REPORT_DRAFT_WORDS.into());
                    let closing = [
                        doc.committee_name.as_str(),
                        &doc.date,
                        "年月日",
                        &record,
                        REPORT_SIGNATURE_LINE,
                    ];
                    let last = pages.last().unwrap();
                    assert!(
                        !body_lines_of(last, &closing).is_empty(),
                        "{paragraphs} × {chars} characters: the last page holds no body text: {:?}",
                        texts(std::slice::from_ref(last))
                    );
                    let words = squeeze(&texts(std::slice::from_ref(last)).concat());
                    assert!(words.contains(&squeeze(REPORT_SIGNATURE_LINE)));
                    assert_eq!(
                        content(&pages).matches(&squeeze(&doc.sections[2].1)).count(),
                        3,
                        "nothing lost"
                    );
                }
            }
        }
        assert!(moved > 0, "the sweep met the case it is about");
    }

    #[test]
    fn the_reports_date_is_printed_once() {
        let doc = report_of(100, 1, true);
        let setting = document(&doc.characters(), &report_title_text(&doc), Size::new(210, 297)).unwrap();
        let all = content(&report_pages(&metrics(&setting), &doc, &stamp()));
        assert_eq!(all.matches("年").count(), all.matches("2022年").count(), "{all}");
        assert_eq!(all.matches("2022年10月20日").count(), 1);
    }

    #[test]
    fn the_checklists_signing_block_always_shares_its_page_with_table_rows() {
        let mut moved = 0;
        for findings in 1..=14 {
            for measure_chars in [10, 60, 140] {
                let mut doc = doc();
                let category = &mut doc.branches[0].categories[0];
                category.findings = (1..=findings)
                    .map(|i| FindingLine {
                        text: format!("{i}. {}", "支委会会议记录过简，未体现讨论过程。".repeat(1 + i % 4)),
                        measures: (0..1 + i % 3)
                            .map(|j| MeasureLine {
                                text: "逐项整改并于主题党日通报进度。"
                                    .chars()
                                    .cycle()
                                    .take(measure_chars + j)
                                    .collect(),
                                deadline: "2022年10月31日".into(),
                                owner: "赵一帆".into(),
                                due: None,
                            })
                            .collect(),
                    })
                    .collect();
                let setting = document(&doc.characters(), &doc.title, Size::new(297, 210)).unwrap();
                let pages = checklist_pages(&metrics(&setting), &doc, &stamp());
                let record = doc.branches[0].record_words();
                let last = pages.last().unwrap();
                let table = !column(std::slice::from_ref(last), 1).is_empty()
                    || !column(std::slice::from_ref(last), 2).is_empty();
                assert!(
                    table,
                    "{findings} findings, measures of {measure_chars}: the signing block stands alone"
                );
                let words = squeeze(&texts(std::slice::from_ref(last)).concat());
                assert!(words.contains(&squeeze(SIGNATURE_LINE)) && words.contains(&squeeze(&record)));
                moved += usize::from(pages.len() > 1 && column(std::slice::from_ref(last), 2).chars().count() < 200);
                assert!(
                    texts(&pages).iter().all(|t| t != "赵一" && t != "帆" && t != "一帆"),
                    "a name is never split"
                );
            }
        }
        assert!(moved > 0);
    }
}
