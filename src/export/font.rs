//! The one font of every PDF: WenQuanYi Micro Hei (Apache-2.0, see static/fonts/), built into the
//! binary so a fresh machine produces correct PDFs without installing anything.
//!
//! genpdf (through rusttype 0.8) reads only a single-face TrueType font, and printpdf embeds
//! whatever it is given whole and uncompressed, once per style slot. So each document gets a
//! subset holding just the characters it uses (allsorts keeps the cmap that rusttype needs):
//! a few dozen KB instead of 5 MB.

use std::collections::BTreeSet;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData as AllsortsFont;
use allsorts::subset::{CmapTarget, SubsetProfile, subset};
use anyhow::{Context, anyhow};

static COLLECTION: &[u8] = include_bytes!("../../static/fonts/wqy-microhei.ttc");

/// Micro Hei is face 0 of the collection (face 1 is the monospaced variant).
const FACE: usize = 0;

fn face() -> anyhow::Result<rusttype::Font<'static>> {
    rusttype::FontCollection::from_bytes(COLLECTION)
        .context("reading the font collection")?
        .font_at(FACE)
        .context("reading the font face")
}

/// Whether the font has a glyph for `c` (so a name with a rare character renders).
pub fn has_glyph(c: char) -> bool {
    face().map(|f| f.glyph(c).id().0 != 0).unwrap_or(false)
}

/// A standalone TrueType font with the glyphs for `chars` (and `.notdef`), cmap included.
pub fn subset_for(chars: impl IntoIterator<Item = char>) -> anyhow::Result<Vec<u8>> {
    let face = face()?;
    let mut glyphs: BTreeSet<u16> = BTreeSet::from([0]);
    for c in chars {
        let id = face.glyph(c).id().0;
        if id != 0 {
            glyphs.insert(u16::try_from(id).context("glyph id")?);
        }
    }
    let glyphs: Vec<u16> = glyphs.into_iter().collect();
    let file = ReadScope::new(COLLECTION)
        .read::<AllsortsFont<'_>>()
        .map_err(|e| anyhow!("parsing the font collection: {e}"))?;
    let provider = file
        .table_provider(FACE)
        .map_err(|e| anyhow!("opening the font face: {e}"))?;
    subset(&provider, &glyphs, &SubsetProfile::Minimal, CmapTarget::Unicode)
        .map_err(|e| anyhow!("subsetting the font: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_name_characters_have_glyphs() {
        for c in "喆堃玥昇赟珺陈王".chars() {
            assert!(has_glyph(c), "{c}");
        }
    }

    #[test]
    fn a_subset_is_small_and_keeps_the_characters_it_was_made_for() {
        let bytes = subset_for("党支部对账整改，喆。Excel 12".chars()).unwrap();
        assert!(bytes.len() < 40_000, "{} bytes", bytes.len());
        let font = rusttype::Font::from_bytes(bytes).expect("rusttype reads the subset");
        for c in "党支部喆，E1".chars() {
            assert_ne!(font.glyph(c).id().0, 0, "{c}");
        }
        assert_eq!(font.glyph('汉').id().0, 0);
    }
}
