/// Pieces several page models share.

/// An option of a `<select>`.
struct SelectOption: Codable, Sendable {
    let value: String
    let label: String
    let selected: Bool
}

/// A button-like link to a form (« Modifier », « Nouveau lot »), shown to those who may use it.
struct ActionLink: Codable, Sendable {
    let label: String
    let link: String
    var secondary = false
}

/// A line of a list that leads somewhere: its text, a detail beside it, the link.
struct LinkLine: Codable, Sendable {
    let text: String
    let detail: String
    let link: String
}
