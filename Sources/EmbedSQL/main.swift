import Foundation

// Usage: EmbedSQL ENUM OUTPUT.swift FILE… — writes `ENUM.files`, each file's name and text, in order.
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: EmbedSQL ENUM OUTPUT.swift FILE...\n".utf8))
    exit(2)
}
let (enumName, output) = (arguments[0], arguments[1])
var source = "// Generated at build time by the EmbedMigrations plugin. Do not edit.\n"
source += "enum \(enumName) {\n    static let files: [(name: String, text: String)] = [\n"
for path in arguments.dropFirst(2) {
    let url = URL(fileURLWithPath: path)
    let text = try String(contentsOf: url, encoding: .utf8)
    var hashes = "#"
    while text.contains("\"" + hashes) { hashes += "#" }
    source += "        (\"\(url.lastPathComponent)\", \(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)),\n"
}
source += "    ]\n}\n"
try source.write(toFile: output, atomically: true, encoding: .utf8)
