//! Walking order for a crew's day: nearest neighbour from the crew's start point, improved by
//! 2-opt, over haversine distances.
//!
//! # Units
//! Positions are (lon, lat) in degrees; distances are metres.
//!
//! Tasks at the same spot (one flower-box group, one tree row) are one stop, so they stay
//! together in the list. The route is open: it starts at the crew's start point and ends at the
//! last stop. 300 stops route in a few milliseconds (see BENCHMARKS.md).

use crate::model::geometry::haversine_m;

/// Visiting order of `stops` (indices) and the walking distance in metres from `start`.
pub fn walking_order(start: (f64, f64), stops: &[(f64, f64)]) -> (Vec<usize>, f64) {
    let n = stops.len();
    if n == 0 {
        return (Vec::new(), 0.0);
    }
    // Distance matrix with the start as node n.
    let node = |i: usize| if i == n { start } else { stops[i] };
    let mut d = vec![0.0f64; (n + 1) * (n + 1)];
    for i in 0..=n {
        for j in (i + 1)..=n {
            let x = haversine_m(node(i), node(j));
            d[i * (n + 1) + j] = x;
            d[j * (n + 1) + i] = x;
        }
    }
    let dist = |a: usize, b: usize| d[a * (n + 1) + b];

    // Nearest neighbour.
    let mut order = Vec::with_capacity(n + 1);
    order.push(n);
    let mut used = vec![false; n];
    let mut cur = n;
    for _ in 0..n {
        let next = (0..n)
            .filter(|&j| !used[j])
            .min_by(|&a, &b| dist(cur, a).total_cmp(&dist(cur, b)).then(a.cmp(&b)))
            .expect("an unvisited stop remains");
        used[next] = true;
        order.push(next);
        cur = next;
    }

    // 2-opt on the open path (the start stays first): reverse order[i..=k] when it shortens.
    let m = order.len();
    let mut improved = true;
    let mut rounds = 0;
    while improved && rounds < 50 {
        improved = false;
        rounds += 1;
        for i in 1..m - 1 {
            for k in (i + 1)..m {
                let a = order[i - 1];
                let b = order[i];
                let c = order[k];
                let before = dist(a, b)
                    + if k + 1 < m {
                        dist(c, order[k + 1])
                    } else {
                        0.0
                    };
                let after = dist(a, c)
                    + if k + 1 < m {
                        dist(b, order[k + 1])
                    } else {
                        0.0
                    };
                if after + 1e-9 < before {
                    order[i..=k].reverse();
                    improved = true;
                }
            }
        }
    }
    let total = order.windows(2).map(|w| dist(w[0], w[1])).sum();
    (order.into_iter().skip(1).collect(), total)
}

/// Walking distance in metres of visiting `stops` in the given order from `start`.
pub fn path_length(start: (f64, f64), stops: &[(f64, f64)]) -> f64 {
    let mut total = 0.0;
    let mut cur = start;
    for s in stops {
        total += haversine_m(cur, *s);
        cur = *s;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_on_a_line_are_walked_in_order() {
        let stops: Vec<(f64, f64)> = [5, 1, 4, 2, 3]
            .iter()
            .map(|i| (91.0 + *i as f64 * 0.001, 29.0))
            .collect();
        let (order, dist) = walking_order((91.0, 29.0), &stops);
        assert_eq!(order, vec![1, 3, 4, 2, 0]);
        let expect = haversine_m((91.0, 29.0), (91.005, 29.0));
        assert!((dist - expect).abs() < 0.01, "{dist} vs {expect}");
    }

    #[test]
    fn two_opt_removes_a_crossing() {
        // A square visited corner to corner crosswise by nearest neighbour from a bad start.
        let stops = vec![(0.0, 0.0), (0.001, 0.001), (0.001, 0.0), (0.0, 0.001)];
        let (order, dist) = walking_order((-0.0005, 0.0), &stops);
        let ordered: Vec<_> = order.iter().map(|i| stops[*i]).collect();
        assert!((path_length((-0.0005, 0.0), &ordered) - dist).abs() < 1e-6);
        let input_len = path_length((-0.0005, 0.0), &stops);
        assert!(dist < input_len, "{dist} < {input_len}");
        // No two legs cross: the perimeter walk is 3 sides plus the approach.
        let side = haversine_m((0.0, 0.0), (0.001, 0.0));
        assert!(
            dist < 3.0 * side + haversine_m((-0.0005, 0.0), (0.0, 0.0)) + 1.0,
            "{dist}"
        );
    }
}
