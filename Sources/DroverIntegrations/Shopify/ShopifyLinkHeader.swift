/// Shopify's cursor pagination: `Link: <https://…/orders.json?limit=250&page_info=…>; rel="next",
/// <…>; rel="previous"` (RFC 8288).
enum ShopifyLinkHeader {
    /// The target of the `rel="next"` link among `values`, nil when there is none.
    static func next(in values: [String]) -> String? {
        for value in values {
            var rest = Substring(value)
            while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
                let target = String(rest[rest.index(after: open)..<close])
                let parameters = rest[rest.index(after: close)...].prefix { $0 != "<" }
                let isNext = parameters.split(separator: ";").contains { parameter in
                    let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t\"") }
                    return pair.count == 2 && pair[0].lowercased() == "rel" && pair[1].split(separator: " ").contains { $0.lowercased() == "next" }
                }
                if isNext { return target }
                rest = rest[close...].dropFirst()
            }
        }
        return nil
    }
}

extension StringProtocol {
    /// Without the leading and trailing characters in `characters`.
    fileprivate func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        return String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
