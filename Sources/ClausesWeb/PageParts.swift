/// Pieces several page models share.

/// An option of a `<select>`.
struct SelectOption: Codable, Sendable {
    let value: String
    let label: String
    let selected: Bool
}

/// A line of a list that leads somewhere: its text, a detail beside it, the link.
struct LinkLine: Codable, Sendable {
    let text: String
    let detail: String
    let link: String
}
