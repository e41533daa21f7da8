// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "clauses",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "clauses", targets: ["clauses"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", from: "0.10.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .target(
            name: "PostgresClient",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Mailer",
            dependencies: ["CCurl", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(
            name: "ClausesCore",
            dependencies: [
                "PostgresClient",
                "Mailer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            exclude: ["Demo/Refdata"],
            swiftSettings: strict,
            plugins: ["EmbedMigrations"]
        ),
        .executableTarget(name: "EmbedSQL"),
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["EmbedSQL"]),
        .target(
            name: "ClausesWeb",
            dependencies: [
                "ClausesCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Templates", "Static"],
            swiftSettings: strict,
            plugins: ["EmbedMigrations"]
        ),
        .executableTarget(
            name: "clauses",
            dependencies: [
                "ClausesCore",
                "ClausesWeb",
                "Mailer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ClausesTestSupport",
            dependencies: ["ClausesCore", "PostgresClient"],
            exclude: ["smtp_sink.py"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ClausesCoreTests",
            dependencies: [
                "ClausesCore", "ClausesTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["PostgresClient", "ClausesTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["ClausesTestSupport", "PostgresClient"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MailerTests",
            dependencies: ["Mailer", "ClausesTestSupport"],
            exclude: ["parse_eml.py"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ClausesWebTests",
            dependencies: [
                "ClausesWeb",
                "ClausesTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
    ]
)
