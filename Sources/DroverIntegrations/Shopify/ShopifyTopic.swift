/// The webhook topics the app subscribes to (`X-Shopify-Topic`); any other topic is acknowledged
/// and ignored.
enum ShopifyTopic: String, Sendable, CaseIterable {
    case ordersCreate = "orders/create"
    case ordersUpdated = "orders/updated"
    case productsCreate = "products/create"
    case productsUpdate = "products/update"
    case customersCreate = "customers/create"
    case customersUpdate = "customers/update"
    case inventoryLevelsUpdate = "inventory_levels/update"
}
