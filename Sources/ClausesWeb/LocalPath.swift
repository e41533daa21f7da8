/// Where a page may send a person after signing in: a path of this site only. One leading `/`, no `//`
/// (another host), no backslash (browsers read `/\\evil.example` as `//evil.example`), no control or
/// space character; anything else gives the dashboard.
enum LocalPath {
    static func sanitized(_ candidate: String?) -> String {
        guard let path = candidate, path.hasPrefix("/"), !path.hasPrefix("//"), path.count <= 2000,
            !path.unicodeScalars.contains(where: {
                $0 == "\\" || $0.properties.generalCategory == .control || $0 == " "
            })
        else { return "/" }
        return path
    }
}
