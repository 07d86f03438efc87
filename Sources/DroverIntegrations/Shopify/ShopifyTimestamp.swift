/// Shopify's timestamps — ISO 8601 with a UTC offset, `2024-01-15T10:30:00-05:00` — checked before
/// they reach the database.
///
/// The app stores them as Shopify sent them and compares them in SQL with `julianday()`, which
/// reads the offset: `10:30:00-05:00` and `15:30:00Z` are the same instant, though a string
/// comparison would order them the other way. Accepting only the shape SQLite reads keeps an
/// unreadable value (which `julianday()` turns into NULL, and NULL loses every comparison) from
/// ever being stored.
enum ShopifyTimestamp {
    /// Whether `text` is `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then `Z` or `±HH:MM`.
    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40 else { return false }
        func digits(_ range: Range<Int>) -> Bool {
            range.upperBound <= bytes.count && range.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[$0]) }
        }
        func byte(_ index: Int, _ character: Unicode.Scalar) -> Bool {
            index < bytes.count && bytes[index] == UInt8(ascii: character)
        }
        guard digits(0..<4), byte(4, "-"), digits(5..<7), byte(7, "-"), digits(8..<10), byte(10, "T"),
            digits(11..<13), byte(13, ":"), digits(14..<16), byte(16, ":"), digits(17..<19)
        else { return false }
        guard let month = Int(text.utf8Slice(5..<7)), (1...12).contains(month),
            let day = Int(text.utf8Slice(8..<10)), (1...31).contains(day),
            let hour = Int(text.utf8Slice(11..<13)), hour < 24,
            let minute = Int(text.utf8Slice(14..<16)), minute < 60,
            let second = Int(text.utf8Slice(17..<19)), second < 60
        else { return false }
        var index = 19
        if byte(index, ".") {
            index += 1
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > start else { return false }
        }
        if byte(index, "Z") { return index + 1 == bytes.count }
        guard byte(index, "+") || byte(index, "-"), index + 6 == bytes.count, digits(index + 1..<index + 3), byte(index + 3, ":"),
            digits(index + 4..<index + 6)
        else { return false }
        return true
    }
}

extension String {
    /// The ASCII characters at byte offsets `range` (the caller checked they are ASCII).
    fileprivate func utf8Slice(_ range: Range<Int>) -> Substring {
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let end = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
        return self[start..<end]
    }
}
