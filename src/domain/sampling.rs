//! 整改"回头看" sampling: a random sample of closed-off measures, stratified so that each committee
//! with any gets at least one, drawn from a seed that is shown, so the same draw can be repeated
//! (and checked) later. The generator is written here (SplitMix64) rather than taken from a
//! crate, so a seed draws the same sample in every version.

/// Draws `n` of `items` ((committee, id), in list order) from `seed`: first one per committee at
/// random, then the rest at random from what is left. Returns the ids drawn, in list order.
/// When `n` is smaller than the number of committees with items, each still gets one.
pub fn draw(items: &[(i64, i64)], n: usize, seed: u64) -> Vec<i64> {
    let mut rng = SplitMix64(seed);
    let mut committees: Vec<i64> = items.iter().map(|(c, _)| *c).collect();
    committees.sort_unstable();
    committees.dedup();
    let mut chosen: Vec<i64> = Vec::new();
    for c in committees {
        let of: Vec<i64> = items.iter().filter(|(k, _)| *k == c).map(|(_, id)| *id).collect();
        chosen.push(of[rng.below(of.len())]);
    }
    let mut rest: Vec<i64> = items
        .iter()
        .map(|(_, id)| *id)
        .filter(|id| !chosen.contains(id))
        .collect();
    // Fisher–Yates, then the first ones.
    for i in (1..rest.len()).rev() {
        rest.swap(i, rng.below(i + 1));
    }
    let more = n.saturating_sub(chosen.len()).min(rest.len());
    chosen.extend(rest.into_iter().take(more));
    items
        .iter()
        .map(|(_, id)| *id)
        .filter(|id| chosen.contains(id))
        .collect()
}

/// A seed for a new draw, from the clock (shown to the user, who may also type one).
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    SplitMix64(nanos).next() % 1_000_000
}

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0), without modulo bias.
    fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let v = self.next();
            if v < zone {
                return (v % n) as usize;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<(i64, i64)> {
        // Committee 1 has measures 1–6, committee 2 has 7–8, committee 3 has 9.
        (1..=6).map(|i| (1, i)).chain([(2, 7), (2, 8), (3, 9)]).collect()
    }

    #[test]
    fn the_same_seed_draws_the_same_sample_and_another_seed_usually_another() {
        let a = draw(&items(), 4, 20261201);
        assert_eq!(a, draw(&items(), 4, 20261201));
        assert_eq!(a.len(), 4);
        let others: Vec<Vec<i64>> = (0..20).map(|s| draw(&items(), 4, s)).collect();
        assert!(others.iter().any(|o| *o != a), "seeds give different samples");
    }

    #[test]
    fn every_committee_with_measures_gets_one_even_in_a_small_sample() {
        for seed in 0..50 {
            let s = draw(&items(), 2, seed);
            assert_eq!(s.len(), 3, "one per committee though 2 were asked: {s:?}");
            assert!(s.iter().any(|id| *id <= 6) && s.iter().any(|id| [7, 8].contains(id)) && s.contains(&9));
        }
    }

    #[test]
    fn a_sample_larger_than_the_list_is_the_whole_list_in_its_order() {
        assert_eq!(draw(&items(), 50, 7), (1..=9).collect::<Vec<_>>());
        assert!(draw(&[], 5, 7).is_empty());
    }

    #[test]
    fn the_generator_is_fixed_so_a_seed_means_the_same_in_every_version() {
        // SplitMix64's published first output for seed 0.
        assert_eq!(SplitMix64(0).next(), 0xE220_A839_7B1D_CDAF);
    }
}
