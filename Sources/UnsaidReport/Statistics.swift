import Foundation

// The two statistics every Unsaid report leans on. Both are exact or near-exact for the small
// samples a probe suite produces (tens to a few thousand requests), where the textbook normal
// approximations mislead: a 0/10 refusal count does not mean "0% ± 0".

/// Wilson score interval for a binomial proportion.
///
/// Chosen over the Wald interval (p ± z·√(p(1−p)/n)) because Wald collapses to a zero-width
/// interval at 0/n and n/n and overshoots [0, 1] near the edges; Wilson stays inside [0, 1] and
/// keeps close to its nominal coverage even for n = 10.
package enum Wilson {
    /// The two-sided 95% normal quantile, Φ⁻¹(0.975).
    package static let z95 = 1.959963984540054

    /// The interval for `successes` out of `total` at normal quantile `z` (95% by default).
    ///
    /// With `total == 0` there is no information and the interval is the whole range (0, 1).
    /// The bounds are clamped to [0, 1] and are exactly 0 for 0 successes and exactly 1 for
    /// `total` successes (the closed form only reaches them up to rounding).
    package static func interval(successes: Int, total: Int, z: Double = z95) -> (lower: Double, upper: Double) {
        guard total > 0 else { return (0, 1) }
        let k = Double(min(max(successes, 0), total))
        let n = Double(total)
        let p = k / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        let lower = successes <= 0 ? 0 : max(0, center - half)
        let upper = successes >= total ? 1 : min(1, center + half)
        return (lower, upper)
    }
}

/// Exact McNemar test for paired binary outcomes.
///
/// Given the discordant pairs — `b` where only the first model answered, `c` where only the
/// second did — under the null hypothesis each discordant pair is a fair coin flip, so the
/// two-sided p-value is the binomial tail `min(1, 2·Σ_{i ≤ min(b,c)} C(b+c, i) / 2^(b+c))`.
/// Concordant pairs carry no information about the difference and do not enter.
package enum McNemar {
    /// Two-sided exact p-value; 1 when there are no discordant pairs.
    ///
    /// Computed in log space (log binomial coefficients, log-sum-exp) so that `2^(b+c)`
    /// never overflows and tiny tail terms never underflow to a wrong zero sum, for `b + c` up to
    /// many thousands.
    package static func exactPValue(b: Int, c: Int) -> Double {
        let b = max(b, 0)
        let c = max(c, 0)
        let n = b + c
        guard n > 0 else { return 1 }
        let k = min(b, c)
        let logTwoToN = Double(n) * M_LN2
        // log C(n, i) built up term by term (C(n, i) = C(n, i−1)·(n−i+1)/i): exact enough for
        // any n a suite produces, and free of log-gamma's platform differences.
        var logTerms: [Double] = [-logTwoToN]
        logTerms.reserveCapacity(k + 1)
        var logBinomial = 0.0
        if k > 0 {
            for i in 1...k {
                logBinomial += log(Double(n - i + 1)) - log(Double(i))
                logTerms.append(logBinomial - logTwoToN)
            }
        }
        // log-sum-exp: shift by the largest term so the exponentials stay in range.
        let largest = logTerms.max() ?? 0
        let sum = logTerms.reduce(0) { $0 + exp($1 - largest) }
        let tail = exp(largest + log(sum))
        return min(1, 2 * tail)
    }
}
