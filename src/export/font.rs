//! The faces PDFs are set in, and which face prints which character.
//!
//! A 报告 or 清单 is set in a Song (Ming) face with its title in a heavier one. Debian's free
//! TrueType faces that rusttype (inside genpdf) can read: AR PL UMing (`fonts-arphic-uming`,
//! Arphic Public License) for the body, HanaMin A and B (`fonts-hanazono`, SIL OFL 1.1) for the
//! CJK Extension A/B characters UMing lacks (names such as 𠮷), and WenQuanYi Micro Hei
//! (Apache-2.0, built into the binary, so a PDF is always possible) for titles and as the last
//! resort. Latin letters and digits in the body are set in Liberation Serif (SIL OFL 1.1, built
//! in; metric-compatible with Times New Roman, as 公文 set them): UMing's own "l" looks like
//! "1". Each character is printed by the first face of its chain that has a non-empty glyph
//! for it: Micro Hei maps ℃ to an empty glyph, which would print nothing while the text layer
//! says ℃.
//!
//! The Song faces are 20–30 MB each. They are memory-mapped, not read: the idle server maps them
//! without holding them, and a render touches only the pages of the glyphs it subsets.
//!
//! genpdf reads only a single-face TrueType font and printpdf embeds whatever it is given whole,
//! once per style slot. So each document gets, per face it uses, a subset holding just its
//! characters (allsorts keeps the cmap that rusttype needs).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData as AllsortsFont;
use allsorts::subset::{CmapTarget, SubsetProfile, subset};
use anyhow::{Context, anyhow};

static MICRO_HEI: &[u8] = include_bytes!("../../static/fonts/wqy-microhei.ttc");
static LIBERATION_SERIF: &[u8] = include_bytes!("../../static/fonts/LiberationSerif-Regular.ttf");

/// What a run of text is: the document's title and 附件 mark, or everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Body,
    Title,
}

/// A face the documents may use.
pub struct Face {
    /// The PostScript name, as the PDF names the embedded subset (`ABCDEF+UMingCN`).
    pub name: &'static str,
    /// The family as a person would say it (warnings, BENCHMARKS.md).
    pub family: &'static str,
    data: &'static [u8],
    index: usize,
    font: rusttype::Font<'static>,
}

impl Face {
    /// Whether this face prints `c`: it maps `c` to a glyph, and the glyph has an outline
    /// unless `c` is a space.
    fn prints(&self, c: char) -> bool {
        let glyph = self.font.glyph(c);
        if glyph.id().0 == 0 {
            return false;
        }
        c.is_whitespace()
            || glyph
                .scaled(rusttype::Scale::uniform(16.0))
                .exact_bounding_box()
                .is_some()
    }

    /// A standalone TrueType font with the glyphs for `chars` (and `.notdef`), cmap included.
    pub fn subset(&self, chars: impl IntoIterator<Item = char>) -> anyhow::Result<Vec<u8>> {
        let mut glyphs: BTreeSet<u16> = BTreeSet::from([0]);
        for c in chars {
            let id = self.font.glyph(c).id().0;
            if id != 0 {
                glyphs.insert(u16::try_from(id).context("glyph id")?);
            }
        }
        let glyphs: Vec<u16> = glyphs.into_iter().collect();
        let file = ReadScope::new(self.data)
            .read::<AllsortsFont<'_>>()
            .map_err(|e| anyhow!("parsing {}: {e}", self.family))?;
        let provider = file
            .table_provider(self.index)
            .map_err(|e| anyhow!("opening {}: {e}", self.family))?;
        subset(&provider, &glyphs, &SubsetProfile::Minimal, CmapTarget::Unicode)
            .map_err(|e| anyhow!("subsetting {}: {e}", self.family))
    }
}

/// The faces found, in a fixed order: the built-in Micro Hei and Liberation Serif, then the
/// Song faces that are installed.
pub struct Faces {
    faces: Vec<Face>,
    /// The Song faces looked for and not found (the documents fall back to Micro Hei).
    pub missing: Vec<&'static str>,
}

/// A face looked for on disk: file name, face index in the file, PostScript name, family.
struct Wanted {
    file: &'static str,
    index: usize,
    name: &'static str,
    family: &'static str,
}

const UMING: Wanted = Wanted {
    file: "uming.ttc",
    index: 0,
    name: "UMingCN",
    family: "AR PL UMing CN",
};
const HANAMIN_A: Wanted = Wanted {
    file: "HanaMinA.ttf",
    index: 0,
    name: "HanaMinA",
    family: "HanaMinA",
};
const HANAMIN_B: Wanted = Wanted {
    file: "HanaMinB.ttf",
    index: 0,
    name: "HanaMinB",
    family: "HanaMinB",
};

/// Where the Song faces are looked for: the static folder's `fonts/` (an operator may put them
/// there), then where Debian's packages install them.
fn folders(static_dir: &Path) -> Vec<PathBuf> {
    vec![
        static_dir.join("fonts"),
        PathBuf::from("/usr/share/fonts/truetype/arphic"),
        PathBuf::from("/usr/share/fonts/truetype/hanazono"),
        PathBuf::from("/usr/local/share/fonts"),
    ]
}

/// Maps a font file read-only. The project's only `unsafe`: a mapping is undefined behaviour if
/// the file is changed while mapped. The font files are package or release files that nothing
/// in this process writes; replacing one under a running server is an operator's error (a
/// package upgrade replaces the file by a new inode, which leaves this mapping intact).
#[allow(unsafe_code)]
fn map(file: &std::fs::File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: see above: the file is not modified while mapped.
    unsafe { memmap2::Mmap::map(file) }
}

fn open(wanted: &Wanted, folders: &[PathBuf]) -> Option<Face> {
    let path = folders.iter().map(|f| f.join(wanted.file)).find(|p| p.is_file())?;
    let map = std::fs::File::open(&path)
        .and_then(|file| map(&file))
        .map_err(|e| tracing::warn!(path = %path.display(), error = %e, "font not readable"))
        .ok()?;
    // Mapped once for the life of the process.
    let data: &'static [u8] = Box::leak(Box::new(map));
    let font = rusttype::FontCollection::from_bytes(data)
        .and_then(|c| c.font_at(wanted.index))
        .map_err(|e| tracing::warn!(path = %path.display(), error = %e, "font not usable"))
        .ok()?;
    Some(Face {
        name: wanted.name,
        family: wanted.family,
        data,
        index: wanted.index,
        font,
    })
}

/// A face built into the binary.
fn built_in(data: &'static [u8], name: &'static str, family: &'static str) -> Face {
    let font = rusttype::FontCollection::from_bytes(data)
        .and_then(|c| c.font_at(0))
        .expect("the built-in font reads");
    Face {
        name,
        family,
        data,
        index: 0,
        font,
    }
}

static FACES: OnceLock<Faces> = OnceLock::new();

/// Looks for the faces once, at start-up (later calls keep the first answer).
pub fn init(static_dir: &Path) -> &'static Faces {
    FACES.get_or_init(|| {
        let folders = folders(static_dir);
        let mut faces = vec![
            built_in(MICRO_HEI, "WenQuanYiMicroHei", "WenQuanYi Micro Hei"),
            built_in(LIBERATION_SERIF, "LiberationSerif", "Liberation Serif"),
        ];
        let mut missing = Vec::new();
        for wanted in [UMING, HANAMIN_A, HANAMIN_B] {
            match open(&wanted, &folders) {
                Some(face) => faces.push(face),
                None => missing.push(wanted.family),
            }
        }
        if !missing.is_empty() {
            tracing::warn!(
                missing = ?missing,
                "文书字体缺失：PDF 改用文泉驿微米黑排版，生僻字可能无法印出。安装 fonts-arphic-uming 和 fonts-hanazono（scripts/install-test-deps.sh）"
            );
        }
        Faces { faces, missing }
    })
}

/// The faces, looked for in the project's static folder if `init` was not called.
pub fn faces() -> &'static Faces {
    init(&Path::new(env!("CARGO_MANIFEST_DIR")).join("static"))
}

impl Faces {
    pub fn get(&self, i: usize) -> &Face {
        &self.faces[i]
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.faces.iter().position(|f| f.name == name)
    }

    /// The faces a role tries for `c`, in order: the Song body face first for the body (Latin
    /// letters, digits and spaces from the serif face unless `latin` is off), Micro Hei first
    /// for titles; Extension A/B faces next; Micro Hei (or UMing) last.
    fn chain(&self, role: Role, c: char, latin: bool) -> Vec<usize> {
        let order: &[&str] = match role {
            Role::Body if latin && (c == ' ' || c.is_ascii_graphic()) => {
                &["LiberationSerif", "UMingCN", "WenQuanYiMicroHei"]
            }
            Role::Body => &["UMingCN", "HanaMinA", "HanaMinB", "WenQuanYiMicroHei"],
            Role::Title => &["WenQuanYiMicroHei", "UMingCN", "HanaMinA", "HanaMinB"],
        };
        order.iter().filter_map(|n| self.position(n)).collect()
    }

    /// The face a role's text starts in: line heights and baselines follow it.
    pub fn primary(&self, role: Role) -> usize {
        self.chain(role, '中', false)[0]
    }

    /// The first face of the role's chain that prints `c`; `None` when no face does.
    pub fn choose(&self, role: Role, c: char) -> Option<usize> {
        self.choose_as(role, c, true)
    }

    /// `choose`, with or without the Latin face (a document that needs more faces than a PDF
    /// font family holds sets its Latin in the Song face).
    pub fn choose_as(&self, role: Role, c: char, latin: bool) -> Option<usize> {
        self.chain(role, c, latin)
            .into_iter()
            .find(|&i| self.faces[i].prints(c))
    }

    /// Whether the documents are set in the Song face (the faces were found).
    pub fn has_song(&self) -> bool {
        self.position("UMingCN").is_some()
    }
}

/// Whether some face prints `c`, remembered per character: a page that lists what its
/// documents cannot print asks for every character of a ledger on each view.
fn printable(c: char) -> bool {
    static KNOWN: std::sync::LazyLock<std::sync::RwLock<std::collections::HashMap<char, bool>>> =
        std::sync::LazyLock::new(Default::default);
    if c.is_ascii() || c.is_control() {
        return true;
    }
    if let Some(known) = KNOWN.read().ok().and_then(|k| k.get(&c).copied()) {
        return known;
    }
    let answer = faces().choose(Role::Body, c).is_some();
    if let Ok(mut known) = KNOWN.write() {
        known.insert(c, answer);
    }
    answer
}

/// The characters of `texts` no face prints (for the warning on a download page), each once.
pub fn unprintable<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<char> {
    let mut seen = BTreeSet::new();
    for text in texts {
        seen.extend(text.chars().filter(|c| !printable(*c)));
    }
    seen.into_iter().collect()
}

/// The warning a download page shows for such characters; empty when there are none.
pub fn unprintable_words<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let chars = unprintable(texts);
    if chars.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = chars
        .iter()
        .map(|c| format!("{c}（U+{:04X}）", u32::from(*c)))
        .collect();
    format!(
        "以下字符没有可用的字体，导出的 PDF 中以编码代替：{}。如是人名用字，请核对纸质件后手写补正。",
        listed.join("、")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Song faces come from Debian packages; without them these tests say what to install.
    fn song_faces() -> &'static Faces {
        let faces = faces();
        assert!(
            faces.missing.is_empty(),
            "document fonts missing: {:?}. Install them with scripts/install-test-deps.sh \
             (Debian packages fonts-arphic-uming and fonts-hanazono)",
            faces.missing
        );
        faces
    }

    #[test]
    fn every_character_people_type_has_a_face_that_prints_it() {
        let faces = song_faces();
        for c in "党支部喆堃玥昇赟珺䶮𠮷℃№①⑳×≥—…“”（）Aa1·、".chars() {
            assert!(faces.choose(Role::Body, c).is_some(), "body {c}");
            assert!(faces.choose(Role::Title, c).is_some(), "title {c}");
        }
        assert!(unprintable(["赵一帆𠮷䶮℃"]).is_empty());
        assert_eq!(unprintable(["笑🫨", "🫨哭"]), vec!['🫨']);
        assert_eq!(
            unprintable_words(["笑🫨"]),
            "以下字符没有可用的字体，导出的 PDF 中以编码代替：🫨（U+1FAE8）。如是人名用字，请核对纸质件后手写补正。"
        );
        assert_eq!(unprintable_words(["赵一帆"]), "");
    }

    #[test]
    fn the_body_is_song_the_title_heavier_and_rare_characters_fall_back() {
        let faces = song_faces();
        let name = |role, c| faces.get(faces.choose(role, c).unwrap()).name;
        assert_eq!(name(Role::Body, '党'), "UMingCN");
        assert_eq!(name(Role::Title, '党'), "WenQuanYiMicroHei");
        assert_eq!(name(Role::Body, 'l'), "LiberationSerif");
        assert_eq!(name(Role::Body, '1'), "LiberationSerif");
        assert_eq!(
            name(Role::Body, '“'),
            "UMingCN",
            "Chinese quotation marks are full-width"
        );
        assert_eq!(name(Role::Title, '2'), "WenQuanYiMicroHei");
        assert_eq!(
            faces.get(faces.choose_as(Role::Body, 'l', false).unwrap()).name,
            "UMingCN"
        );
        assert!(name(Role::Body, '𠮷').starts_with("HanaMin"));
        assert!(name(Role::Body, '\u{2A6D6}').starts_with("HanaMin"), "Extension B");
        // Micro Hei's ℃ is an empty glyph: the title takes it from the Song face.
        assert_eq!(name(Role::Title, '℃'), "UMingCN");
        assert_eq!(name(Role::Title, '䶮'), "UMingCN");
    }

    #[test]
    fn a_subset_is_small_and_keeps_the_characters_it_was_made_for() {
        let faces = song_faces();
        for (face, text) in [
            (0, "党支部对账整改，喆。Excel 12"),
            (faces.primary(Role::Body), "党支部对账整改，喆。Excel 12"),
        ] {
            let bytes = faces.get(face).subset(text.chars()).unwrap();
            assert!(bytes.len() < 40_000, "{} bytes", bytes.len());
            let font = rusttype::Font::from_bytes(bytes).expect("rusttype reads the subset");
            for c in "党支部喆，E1".chars() {
                assert_ne!(font.glyph(c).id().0, 0, "{c}");
            }
            assert_eq!(font.glyph('汉').id().0, 0);
        }
        let b = faces.position("HanaMinB").unwrap();
        let bytes = faces.get(b).subset("𠮷".chars()).unwrap();
        let font = rusttype::Font::from_bytes(bytes).expect("rusttype reads the subset");
        assert_ne!(
            font.glyph('𠮷').id().0,
            0,
            "a character beyond the BMP survives subsetting"
        );
    }
}
