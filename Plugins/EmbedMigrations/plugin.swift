import Foundation
import PackagePlugin

/// Embeds files into the binary as Swift string literals, so a deployed `clauses` is self-contained:
/// - for `ClausesCore`, the numbered migrations of the top-level `sql/` folder (`EmbeddedMigrations`);
/// - for `ClausesWeb`, its `Templates/` and `Static/` folders and the top-level `openapi.yaml` (`EmbeddedAssets`).
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let (enumName, folders): (String, [URL]) = switch target.name {
        case "ClausesCore": ("EmbeddedMigrations", [context.package.directoryURL.appending(path: "sql")])
        default: ("EmbeddedAssets", ["Templates", "Static"].map { target.directoryURL.appending(path: $0) })
        }
        var files: [URL] = []
        for folder in folders {
            files += try FileManager.default
                .contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { !$0.lastPathComponent.hasPrefix(".") }
        }
        if target.name != "ClausesCore" { files.append(context.package.directoryURL.appending(path: "openapi.yaml")) }
        files.sort { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "\(enumName).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) files into \(enumName)",
                executable: try context.tool(named: "EmbedSQL").url,
                arguments: [enumName, output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
