//! Transparent multi-criteria ranking: min-max normalised scores, a weighted total, the Pareto
//! set and rank stability under random weights.
//!
//! Every criterion is oriented so that more is better. For candidate `i` and criterion `k`,
//! `score[i][k] = (x[i][k] - min_k) / (max_k - min_k)`, 1 when every candidate has the same value,
//! 0 when the value is undefined. The total is `sum_k w_k score[i][k] / sum_k w_k`. Ranks go by
//! total, highest first; equal totals keep the candidates' order.
//!
//! Infeasible candidates (see `pilot`: an alternative that leaves a lane overloaded) take no
//! part in setting the minimum and maximum (their scores are clamped to [0, 1]), rank after
//! every feasible candidate whatever their total, are never in the Pareto set and never count
//! in the top k of rank stability.

use crate::engine::{RngStream, StreamId};

/// Min-max normalised scores in [0, 1] (see the module docs).
pub fn normalise(values: &[Vec<f64>]) -> Vec<Vec<f64>> {
    // With no reference marked, the range is taken over every candidate, so no score needs
    // clamping.
    normalise_among(values, &vec![false; values.len()])
}

/// Min-max normalised scores as [`normalise`], with the minimum and maximum of each criterion
/// taken over the candidates marked in `reference` only (all, when none is); the others' scores
/// are clamped to [0, 1].
pub fn normalise_among(values: &[Vec<f64>], reference: &[bool]) -> Vec<Vec<f64>> {
    let any = reference.iter().any(|&r| r);
    let refs: Vec<Vec<f64>> = values
        .iter()
        .zip(reference)
        .filter(|(_, r)| !any || **r)
        .map(|(v, _)| v.clone())
        .collect();
    let k = values.first().map_or(0, Vec::len);
    let mut out = vec![vec![0.0; k]; values.len()];
    for c in 0..k {
        let finite = refs.iter().map(|r| r[c]).filter(|x| x.is_finite());
        let lo = finite.clone().fold(f64::INFINITY, f64::min);
        let hi = finite.fold(f64::NEG_INFINITY, f64::max);
        for (i, row) in values.iter().enumerate() {
            let x = row[c];
            out[i][c] = if !x.is_finite() {
                0.0
            } else if hi > lo {
                ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
            } else if lo.is_finite() {
                // Every reference candidate has the same value: as good is 1, worse is 0.
                if x >= lo { 1.0 } else { 0.0 }
            } else {
                1.0
            };
        }
    }
    out
}

/// Weighted totals `sum_k w_k s_k / sum_k w_k` (0 when every weight is 0).
pub fn weighted_totals(scores: &[Vec<f64>], weights: &[f64]) -> Vec<f64> {
    let sum: f64 = weights.iter().sum();
    scores
        .iter()
        .map(|row| {
            if sum > 0.0 {
                row.iter().zip(weights).map(|(s, w)| s * w).sum::<f64>() / sum
            } else {
                0.0
            }
        })
        .collect()
}

/// 1-based ranks by total, highest first; ties keep the input order.
pub fn ranks(totals: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|&a, &b| totals[b].total_cmp(&totals[a]).then(a.cmp(&b)));
    let mut r = vec![0; totals.len()];
    for (pos, &i) in order.iter().enumerate() {
        r[i] = pos + 1;
    }
    r
}

/// 1-based ranks by total, highest first, every feasible candidate before every infeasible one;
/// ties keep the input order.
pub fn ranks_feasible(totals: &[f64], feasible: &[bool]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|&a, &b| {
        feasible[b]
            .cmp(&feasible[a])
            .then(totals[b].total_cmp(&totals[a]))
            .then(a.cmp(&b))
    });
    let mut r = vec![0; totals.len()];
    for (pos, &i) in order.iter().enumerate() {
        r[i] = pos + 1;
    }
    r
}

/// [`pareto`] among the feasible candidates; infeasible ones are never in the set.
pub fn pareto_feasible(values: &[Vec<f64>], feasible: &[bool]) -> Vec<bool> {
    let idx: Vec<usize> = (0..values.len()).filter(|&i| feasible[i]).collect();
    let sub: Vec<Vec<f64>> = idx.iter().map(|&i| values[i].clone()).collect();
    let mut out = vec![false; values.len()];
    for (&i, p) in idx.iter().zip(pareto(&sub)) {
        out[i] = p;
    }
    out
}

/// Whether each candidate is in the Pareto set: no other candidate is at least as good on every
/// criterion and better on one. Undefined values count as worst.
pub fn pareto(values: &[Vec<f64>]) -> Vec<bool> {
    let v = |x: f64| if x.is_finite() { x } else { f64::NEG_INFINITY };
    (0..values.len())
        .map(|i| {
            !(0..values.len()).any(|j| {
                j != i
                    && values[j]
                        .iter()
                        .zip(&values[i])
                        .all(|(&a, &b)| v(a) >= v(b))
                    && values[j].iter().zip(&values[i]).any(|(&a, &b)| v(a) > v(b))
            })
        })
        .collect()
}

/// For each candidate, the share of `draws` weight vectors drawn uniformly over the simplex
/// (normalised exponential draws, from the seeded stream `"pilot-weights"`) under which its
/// weighted total ranks in the top `top_k` ([`ranks_feasible`]: an infeasible candidate is in
/// the top k only when fewer than k candidates are feasible).
pub fn rank_stability(
    scores: &[Vec<f64>],
    feasible: &[bool],
    top_k: usize,
    draws: usize,
    seed: u64,
) -> Vec<f64> {
    let n = scores.len();
    let k = scores.first().map_or(0, Vec::len);
    let mut hits = vec![0usize; n];
    if n == 0 || k == 0 || draws == 0 {
        return vec![f64::NAN; n];
    }
    let mut rng = RngStream::new(seed, 0, StreamId::named("pilot-weights"));
    let mut w = vec![0.0; k];
    for _ in 0..draws {
        for x in w.iter_mut() {
            // 1 - u lies in (0, 1]: the logarithm is finite.
            *x = -(1.0 - rng.uniform()).ln();
        }
        let totals = weighted_totals(scores, &w);
        for (i, r) in ranks_feasible(&totals, feasible).into_iter().enumerate() {
            if r <= top_k {
                hits[i] += 1;
            }
        }
    }
    hits.into_iter().map(|h| h as f64 / draws as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Vec<Vec<f64>> {
        vec![
            vec![1.0, 0.0], // A: best on criterion 1
            vec![0.0, 1.0], // B: best on criterion 2
            vec![0.4, 0.4], // C: a compromise, not dominated
            vec![0.3, 0.3], // D: dominated by C
            vec![0.0, 0.0], // E: dominated by everyone
        ]
    }

    #[test]
    fn scores_and_ranks() {
        let s = normalise(&table());
        assert_eq!(s[0], vec![1.0, 0.0]);
        assert_eq!(s[2], vec![0.4, 0.4]);
        let t = weighted_totals(&s, &[3.0, 1.0]);
        assert!((t[0] - 0.75).abs() < 1e-12 && (t[1] - 0.25).abs() < 1e-12);
        assert_eq!(ranks(&t), vec![1, 4, 2, 3, 5]);
        // Equal totals keep the input order; undefined values score 0.
        assert_eq!(ranks(&[1.0, 2.0, 1.0]), vec![2, 1, 3]);
        let s = normalise(&[vec![f64::NAN, 5.0], vec![2.0, 5.0]]);
        assert_eq!(s, vec![vec![0.0, 1.0], vec![1.0, 1.0]]);
    }

    #[test]
    fn pareto_set() {
        assert_eq!(pareto(&table()), vec![true, true, true, false, false]);
        // Identical candidates do not dominate each other.
        assert_eq!(pareto(&[vec![1.0, 1.0], vec![1.0, 1.0]]), vec![true, true]);
        assert_eq!(pareto(&[vec![f64::NAN], vec![0.0]]), vec![false, true]);
    }

    #[test]
    fn stability_known_answers() {
        let s = normalise(&table());
        // Top 1: A wins exactly when w1 > w2 (C's 0.4 never beats max(w1, w2) >= 0.5), so A and
        // B each win half of the uniform weightings and the rest never.
        let st = rank_stability(&s, &[true; 5], 1, 10_000, 42);
        assert!((st[0] - 0.5).abs() < 0.02, "{st:?}");
        assert!((st[1] - 0.5).abs() < 0.02, "{st:?}");
        assert_eq!(&st[2..], &[0.0, 0.0, 0.0]);
        // Top 3: C is always in (it beats D and E under every weighting).
        let st = rank_stability(&s, &[true; 5], 3, 10_000, 42);
        assert_eq!(st[2], 1.0);
        assert_eq!(st[4], 0.0);
        // A candidate that dominates every other is always first; the draws are seeded.
        let st = rank_stability(
            &normalise(&[vec![2.0, 2.0], vec![1.0, 0.0]]),
            &[true; 2],
            1,
            1000,
            7,
        );
        assert_eq!(st, vec![1.0, 0.0]);
        assert_eq!(
            rank_stability(&s, &[true; 5], 2, 500, 9),
            rank_stability(&s, &[true; 5], 2, 500, 9)
        );
    }

    /// An infeasible candidate that would win on every criterion ranks after the feasible
    /// ones, is out of the Pareto set, never lands in the top k and does not set the scale.
    #[test]
    fn an_infeasible_candidate_never_ranks_first() {
        let values = vec![vec![9.0, 9.0], vec![1.0, 0.0], vec![0.0, 1.0]];
        let feasible = [false, true, true];
        let s = normalise_among(&values, &feasible);
        assert_eq!(s, vec![vec![1.0, 1.0], vec![1.0, 0.0], vec![0.0, 1.0]]);
        let t = weighted_totals(&s, &[1.0, 1.0]);
        assert_eq!(ranks(&t)[0], 1);
        assert_eq!(ranks_feasible(&t, &feasible), vec![3, 1, 2]);
        assert_eq!(pareto_feasible(&values, &feasible), vec![false, true, true]);
        let st = rank_stability(&s, &feasible, 1, 2000, 3);
        assert_eq!(st[0], 0.0);
        assert!((st[1] + st[2] - 1.0).abs() < 1e-12);
        // With fewer feasible candidates than k, the infeasible fill the remaining places.
        assert_eq!(rank_stability(&s, &feasible, 3, 100, 3), vec![1.0; 3]);
    }
}
