import Foundation

/// `{"items": [...]}` for short lists that need no pagination.
public struct Items<T: Encodable & Sendable>: Encodable, Sendable {
    public let items: [T]
    public init(items: [T]) { self.items = items }
}
