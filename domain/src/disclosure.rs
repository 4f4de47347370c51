//! Small-count suppression of the programme report: who sees exact counts, which counts are
//! hidden (primary: below [`THRESHOLD`]) and which further ones must be hidden so that no hidden
//! count can be recovered by subtracting shown counts from a shown total (secondary).
//!
//! A table is a list of counts and its *sums*: each sum is a set of counts that add up to zero
//! with signs (`total = a + b + c`, or two margins of one table that add up to the same grand
//! total). A sum with exactly one hidden member gives that member away, so while one does, the
//! smallest shown member of that sum is hidden as well. Every sum then has no hidden member or
//! at least two, and subtraction only ever recovers the sum of two or more hidden counts.

use crate::user::Role;

/// Counts of citizens (or of facts about citizens) below this are hidden from those who may not
/// see exact counts; so are rates and medians over fewer citizens.
pub const THRESHOLD: i64 = 5;

/// Admins and coordinators see exact counts; everyone else (evaluators, integration clients)
/// sees small counts suppressed.
pub fn sees_exact_counts(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Coordinator)
}

/// Whether a count is hidden on its own (primary suppression): below [`THRESHOLD`].
pub fn is_small(count: i64) -> bool {
    count < THRESHOLD
}

/// Which of `counts` are hidden: the small ones and, for every sum in `sums` (indices into
/// `counts`) that would otherwise have exactly one hidden member, the smallest shown member
/// (the first of equals), until no sum has exactly one hidden member.
pub fn suppressed(counts: &[i64], sums: &[Vec<usize>]) -> Vec<bool> {
    let mut hidden: Vec<bool> = counts.iter().map(|&c| is_small(c)).collect();
    loop {
        let mut changed = false;
        for sum in sums {
            if sum.iter().filter(|&&i| hidden[i]).count() != 1 {
                continue;
            }
            let smallest = sum
                .iter()
                .copied()
                .filter(|&i| !hidden[i])
                .min_by_key(|&i| (counts[i], i));
            if let Some(i) = smallest {
                hidden[i] = true;
                changed = true;
            }
        }
        if !changed {
            return hidden;
        }
    }
}

/// The members of `sum` whose value a reader can recover from the shown counts alone: when a
/// sum has exactly one hidden member, it equals the shown members' signed difference. Used by
/// the tests to check [`suppressed`]; empty when nothing is given away.
pub fn recoverable(hidden: &[bool], sums: &[Vec<usize>]) -> Vec<usize> {
    sums.iter()
        .filter_map(|sum| {
            let mut hidden_members = sum.iter().filter(|&&i| hidden[i]);
            match (hidden_members.next(), hidden_members.next()) {
                (Some(&i), None) => Some(i),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A total (index 0) and its cells (1..).
    fn total_and_cells(cells: &[i64]) -> (Vec<i64>, Vec<Vec<usize>>) {
        let mut counts = vec![cells.iter().sum()];
        counts.extend_from_slice(cells);
        (counts, vec![(0..=cells.len()).collect()])
    }

    #[test]
    fn only_admins_and_coordinators_see_exact_counts() {
        let exact: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|&r| sees_exact_counts(r))
            .collect();
        assert_eq!(exact, [Role::Admin, Role::Coordinator]);
    }

    #[test]
    fn counts_below_five_are_small() {
        assert!(is_small(0));
        assert!(is_small(4));
        assert!(!is_small(5));
        assert!(!is_small(120));
    }

    #[test]
    fn a_table_with_no_small_count_is_shown_whole() {
        let (counts, sums) = total_and_cells(&[5, 7, 9]);
        assert_eq!(suppressed(&counts, &sums), [false; 4]);
    }

    #[test]
    fn a_lone_small_cell_takes_the_next_smallest_with_it() {
        let (counts, sums) = total_and_cells(&[3, 9, 6, 12]);
        assert_eq!(
            suppressed(&counts, &sums),
            [false, true, false, true, false]
        );
    }

    #[test]
    fn two_small_cells_need_no_more() {
        let (counts, sums) = total_and_cells(&[3, 1, 9]);
        assert_eq!(suppressed(&counts, &sums), [false, true, true, false]);
    }

    #[test]
    fn a_small_total_hides_every_cell() {
        let (counts, sums) = total_and_cells(&[2, 1]);
        assert_eq!(suppressed(&counts, &sums), [true; 3]);
    }

    #[test]
    fn one_small_cell_beside_a_large_one_hides_the_total_or_the_other_cell() {
        // total 10 = 7 + 3: hiding 3 alone gives it away; the smallest shown member is 7.
        let (counts, sums) = total_and_cells(&[7, 3]);
        assert_eq!(suppressed(&counts, &sums), [false, true, true]);
        // A single cell is its total.
        let (counts, sums) = total_and_cells(&[3]);
        assert_eq!(suppressed(&counts, &sums), [true, true]);
    }

    #[test]
    fn secondary_suppression_spreads_across_linked_sums() {
        // Two margins of one grand total: formats [10, 3], types [8, 5].
        // 3 is small; 10 + 3 − 8 − 5 = 0 would give it away, so the smallest shown (5) goes too.
        let counts = vec![10, 3, 8, 5];
        let sums = vec![vec![0, 1, 2, 3]];
        let hidden = suppressed(&counts, &sums);
        assert_eq!(hidden, [false, true, false, true]);
        assert!(recoverable(&hidden, &sums).is_empty());
        // A chain: a = b + c, c = d + e with d small.
        let counts = vec![20, 8, 12, 2, 10];
        let sums = vec![vec![0, 1, 2], vec![2, 3, 4]];
        let hidden = suppressed(&counts, &sums);
        assert_eq!(hidden, [false, false, false, true, true]);
        assert!(recoverable(&hidden, &sums).is_empty());
    }

    #[test]
    fn recoverable_names_a_lone_hidden_member() {
        let sums = vec![vec![0, 1, 2]];
        assert_eq!(recoverable(&[false, true, false], &sums), [1]);
        assert!(recoverable(&[false, true, true], &sums).is_empty());
        assert!(recoverable(&[false; 3], &sums).is_empty());
    }

    /// A small deterministic generator (no dependency): 64-bit LCG.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % below
        }
    }

    /// Every subtraction a reader can make on a two-way table with row totals, column totals
    /// and a grand total: a shown total minus the shown cells of its row or column (or the
    /// grand total minus shown row or column totals). None may leave exactly one hidden value.
    #[test]
    fn no_subtraction_recovers_a_hidden_count_in_generated_tables() {
        let mut rng = Lcg(42);
        for _ in 0..3000 {
            let rows = 1 + rng.next(4) as usize;
            let cols = 1 + rng.next(4) as usize;
            let cells: Vec<i64> = (0..rows * cols)
                .map(|_| match rng.next(3) {
                    0 => rng.next(5) as i64,
                    _ => rng.next(40) as i64,
                })
                .collect();
            let cell = |r: usize, c: usize| r * cols + c;
            let row_total = |r: usize| rows * cols + r;
            let col_total = |c: usize| rows * cols + rows + c;
            let grand = rows * cols + rows + cols;
            let mut counts = cells.clone();
            counts.extend((0..rows).map(|r| (0..cols).map(|c| cells[cell(r, c)]).sum::<i64>()));
            counts.extend((0..cols).map(|c| (0..rows).map(|r| cells[cell(r, c)]).sum::<i64>()));
            counts.push(cells.iter().sum());
            let mut sums: Vec<Vec<usize>> = (0..rows)
                .map(|r| {
                    std::iter::once(row_total(r))
                        .chain((0..cols).map(|c| cell(r, c)))
                        .collect()
                })
                .collect();
            sums.extend((0..cols).map(|c| {
                std::iter::once(col_total(c))
                    .chain((0..rows).map(|r| cell(r, c)))
                    .collect()
            }));
            sums.push(
                std::iter::once(grand)
                    .chain((0..rows).map(row_total))
                    .collect(),
            );
            sums.push(
                std::iter::once(grand)
                    .chain((0..cols).map(col_total))
                    .collect(),
            );

            let hidden = suppressed(&counts, &sums);
            for (i, &count) in counts.iter().enumerate() {
                assert!(!is_small(count) || hidden[i], "small count {count} shown");
            }
            // Try every subtraction: total − the shown members; if every other member is
            // shown, the remainder is a single hidden value, which must not happen.
            for sum in &sums {
                let unknown: Vec<usize> = sum.iter().copied().filter(|&i| hidden[i]).collect();
                assert_ne!(
                    unknown.len(),
                    1,
                    "{counts:?} hidden {hidden:?}: sum {sum:?} gives away {}",
                    counts[unknown[0]]
                );
            }
            assert!(recoverable(&hidden, &sums).is_empty());
        }
    }
}
