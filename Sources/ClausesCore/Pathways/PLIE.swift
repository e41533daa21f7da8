import Foundation
import PostgresClient

/// A PLIE the service serves: its name, the communes it covers and its profile (rules and targets of
/// `config.toml`). A facilitateur's service often serves several; each pathway names its PLIE.
public struct PLIE: StoredEntity, Equatable {
    public struct Input: Codable, Sendable {
        public var name: String?
        public var profile: String?
        public var communes: [String]?
        public init(name: String? = nil, profile: String? = nil, communes: [String]? = nil) {
            self.name = name
            self.profile = profile
            self.communes = communes
        }
    }

    public let id: UUID
    public let name: String
    public let profile: String
    public let communes: [String]
    public let createdAt: Date
    public let updatedAt: Date

    public static let table = "plie"
    public static let alias = "pl"
    public static let entityName = "plie"
    public static let frenchName = "le PLIE"
    public static let selectColumns = "pl.id, pl.name, pl.profile, pl.communes, pl.created_at, pl.updated_at"
    public static let fromClause = "plie pl"
    public static let constraintMessages: [String: (field: String, message: String)] = [
        "plie_name_unique": ("name", "Un PLIE porte déjà ce nom.")
    ]

    /// Staff read PLIE records; buyers and companies have no use for them.
    public static func scope(for caller: Caller, _ sql: inout SQL) -> String? {
        [.admin, .facilitator, .referent].contains(caller.role) ? nil : "false"
    }

    /// The profile name is checked against the configured profiles by `PLIEStore` before this runs.
    public static func columns(from input: Input, existing: PLIE?) throws(DomainError) -> [(
        String, (any PostgresEncodable)?
    )] {
        var communes = existing?.communes ?? []
        if let given = input.communes {
            communes = []
            for code in given {
                guard let valid = try Validate.insee(code, existing: nil, field: "communes") else { continue }
                if !communes.contains(valid) { communes.append(valid) }
            }
        }
        return [
            ("name", try Validate.text(input.name, existing: existing?.name, field: "name", maxLength: 200)),
            (
                "profile",
                try Validate.text(input.profile, existing: existing?.profile, field: "profile", maxLength: 100)
            ),
            ("communes", PostgresTextArray(communes)),
        ]
    }

    public init(row: PostgresRow) throws {
        id = try row.decode("id")
        name = try row.decode("name")
        profile = try row.decode("profile")
        communes = try row.decode("communes", as: PostgresTextArray.self).values
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }
}

/// PLIE records, their profile checked against `config.toml`.
public struct PLIEStore: Sendable {
    let entities: EntityStore<PLIE>
    public let profiles: PLIEProfiles

    public init(pool: PostgresPool, profiles: PLIEProfiles) {
        entities = EntityStore(pool: pool)
        self.profiles = profiles
    }

    public func list(_ caller: Caller, page: PageRequest) async throws -> Page<PLIE> {
        try await entities.list(caller, page: page)
    }

    public func get(_ caller: Caller, id: UUID) async throws -> PLIE { try await entities.get(caller, id: id) }

    public func create(_ caller: Caller, _ input: PLIE.Input) async throws -> PLIE {
        try checkProfile(input)
        return try await entities.create(caller, input)
    }

    public func update(_ caller: Caller, id: UUID, _ input: PLIE.Input, expected: RecordVersion? = nil)
        async throws -> PLIE
    {
        try checkProfile(input)
        return try await entities.update(caller, id: id, input, expected: expected)
    }

    private func checkProfile(_ input: PLIE.Input) throws(DomainError) {
        if let name = input.profile {
            _ = try profiles.named(name.trimmingCharacters(in: .whitespaces), field: "profile")
        }
    }
}
