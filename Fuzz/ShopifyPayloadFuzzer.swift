import Drover

/// libFuzzer entry point for what the sample app reads of Shopify's bytes: a webhook payload (any
/// JSON, read as each topic's record), a `Link` header (the pull follows its `rel="next"`), and an
/// `updated_at` (checked before it reaches SQL). See Fuzz/README.md.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShopifyPayload(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)

    // A Link header: the next target is always text that stood between < and > in the value.
    if let next = ShopifyLinkHeader.next(in: [text]) {
        precondition(text.contains("<\(next)>"), "next link not taken from the header")
    }
    let values = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    _ = ShopifyLinkHeader.next(in: values)

    // A timestamp: a valid one is short ASCII.
    if ShopifyTimestamp.isValid(text) {
        precondition(text.utf8.count >= 20 && text.utf8.count <= 40 && text.utf8.allSatisfy { $0 < 0x80 }, "odd valid timestamp")
    }

    // A payload, read as every topic's record; what is read must have passed the checks.
    if let payload = try? JSONParser.parse(bytes) {
        for topic in ShopifyTopic.allCases {
            switch topic {
            case .ordersCreate, .ordersUpdated:
                if let order = try? ShopifyOrder(payload, topic: topic) {
                    precondition(order.id > 0 && ShopifyTimestamp.isValid(order.updatedAt) && order.lineItems.allSatisfy { $0.id > 0 })
                }
            case .productsCreate, .productsUpdate:
                if let product = try? ShopifyProduct(payload, topic: topic) {
                    precondition(product.id > 0 && ShopifyTimestamp.isValid(product.updatedAt))
                }
            case .customersCreate, .customersUpdate:
                if let customer = try? ShopifyCustomer(payload, topic: topic) {
                    precondition(customer.id > 0 && customer.email != "")
                }
            case .inventoryLevelsUpdate:
                if let level = try? ShopifyInventoryLevel(payload, topic: topic) {
                    precondition(level.inventoryItemID > 0 && level.locationID > 0)
                }
            }
        }
    }
    return 0
}
