/// Numbers written the way ECMAScript's `Number.prototype.toString` writes them, as RFC 8785 (JCS)
/// §3.2.2.3 requires for canonical JSON.
///
/// The digits are the shortest that read back as the same binary value (Swift's own `description`
/// finds them; it is round-trip exact and picks the closest digits on ties, the same choice
/// ECMAScript makes). Only the layout is ECMAScript's: plain decimals from 1e-6 up to below 1e21,
/// exponent form outside that (`1e+21`, `1e-7`, no padded exponent), `-0` as `0`.
enum ECMAScriptNumber {
    /// Appends the text of a finite value; `false` (and nothing written) for NaN or an infinity,
    /// which JSON cannot carry.
    static func append<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, to output: inout [UInt8]) -> Bool
    {
        guard value.isFinite else { return false }
        if value == 0 {
            output.append(UInt8(ascii: "0"))  // both zeros: ECMAScript prints -0 as 0
            return true
        }
        if value < 0 { output.append(UInt8(ascii: "-")) }
        let (digits, point) = shortestDigits(of: value.magnitude)
        layout(digits: digits, point: point, into: &output)
        return true
    }

    /// The significant digits (no leading or trailing zeros) and where the decimal point goes:
    /// the value is `0.d1d2d3… × 10^point`.
    private static func shortestDigits<F: BinaryFloatingPoint & LosslessStringConvertible>(
        of value: F
    ) -> (digits: [UInt8], point: Int) {
        // `description` is "123.45", "1e-07", "1.7976931348623157e+308" or "5e-324" for a
        // positive finite value: mantissa digits with an optional point, then an optional exponent.
        var digits: [UInt8] = []
        var integerDigits = 0
        var seenPoint = false
        var exponent = 0
        var exponentSign = 1
        var inExponent = false
        for byte in value.description.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                } else {
                    digits.append(byte)
                    if !seenPoint { integerDigits += 1 }
                }
            case UInt8(ascii: "."): seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case UInt8(ascii: "-"): exponentSign = -1
            default: break  // "+"
            }
        }
        var point = integerDigits + exponentSign * exponent
        let leadingZeros = digits.prefix { $0 == UInt8(ascii: "0") }.count
        digits.removeFirst(leadingZeros)
        point -= leadingZeros
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, point)
    }

    /// ECMAScript's Number::toString steps 6–10, with k = digits.count and n = point.
    private static func layout(digits: [UInt8], point n: Int, into output: inout [UInt8]) {
        let k = digits.count
        if k <= n && n <= 21 {
            output.append(contentsOf: digits)
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n && n <= 21 {
            output.append(contentsOf: digits[0..<n])
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: digits[n...])
        } else if -6 < n && n <= 0 {
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            output.append(contentsOf: digits)
        } else {
            output.append(digits[0])
            if k > 1 {
                output.append(UInt8(ascii: "."))
                output.append(contentsOf: digits[1...])
            }
            let exponent = n - 1
            output.append(UInt8(ascii: "e"))
            output.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            output.append(contentsOf: String(exponent.magnitude).utf8)
        }
    }
}
