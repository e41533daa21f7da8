import Foundation
import PackagePlugin

/// Embeds files into the binary as Swift string literals, so a deployed `clauses` is self-contained:
/// - for `ClausesCore`, the numbered migrations of the top-level `sql/` folder (`EmbeddedMigrations`), and
///   the demo's reference-data extract in `Demo/Refdata/` (`EmbeddedRefdata`);
/// - for `ClausesWeb`, its `Templates/` and `Static/` folders and the top-level `openapi.yaml` (`EmbeddedAssets`).
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        switch target.name {
        case "ClausesCore":
            return [
                try embed(context, "EmbeddedMigrations", [context.package.directoryURL.appending(path: "sql")]),
                try embed(context, "EmbeddedRefdata", [target.directoryURL.appending(path: "Demo/Refdata")]),
            ]
        default:
            return [
                try embed(
                    context, "EmbeddedAssets", ["Templates", "Static"].map { target.directoryURL.appending(path: $0) },
                    extra: [context.package.directoryURL.appending(path: "openapi.yaml")])
            ]
        }
    }

    private func embed(_ context: PluginContext, _ enumName: String, _ folders: [URL], extra: [URL] = []) throws
        -> Command
    {
        var files: [URL] = extra
        for folder in folders {
            files += try FileManager.default
                .contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { !$0.lastPathComponent.hasPrefix(".") }
        }
        files.sort { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "\(enumName).swift")
        return .buildCommand(
            displayName: "Embedding \(files.count) files into \(enumName)",
            executable: try context.tool(named: "EmbedSQL").url,
            arguments: [enumName, output.path] + files.map(\.path),
            inputFiles: files,
            outputFiles: [output]
        )
    }
}
