import Foundation

/// One key of a `[profiles.NAME]` table, declared once like `ConfigKey`: read (over the current value),
/// shown by `clauses config check`, and diffed against `config.toml` by the tests. Optional rules are
/// written 0 ("no such rule") since TOML has no null.
struct ProfileKey: Sendable {
    let name: String
    let description: String
    let read: @Sendable (inout TOMLReader, inout PLIEProfile) throws(DomainError) -> Void
    let show: @Sendable (PLIEProfile) -> String

    static func value<T>(
        _ name: String, _ keyPath: any WritableKeyPath<PLIEProfile, T> & Sendable, _ description: String,
        read: @escaping @Sendable (inout TOMLReader, String, T) throws(DomainError) -> T,
        show: @escaping @Sendable (T) -> String
    ) -> ProfileKey {
        ProfileKey(
            name: name, description: description,
            read: { reader, profile throws(DomainError) in
                profile[keyPath: keyPath] = try read(&reader, name, profile[keyPath: keyPath])
            }, show: { show($0[keyPath: keyPath]) })
    }

    static func string(_ name: String, _ keyPath: any WritableKeyPath<PLIEProfile, String> & Sendable, _ d: String)
        -> ProfileKey
    {
        value(name, keyPath, d, read: { r, n, v throws(DomainError) in try r.string(n, v) }, show: ConfigKey.quoted)
    }

    static func bool(_ name: String, _ keyPath: any WritableKeyPath<PLIEProfile, Bool> & Sendable, _ d: String)
        -> ProfileKey
    {
        value(name, keyPath, d, read: { r, n, v throws(DomainError) in try r.bool(n, v) }, show: { "\($0)" })
    }

    static func int(
        _ name: String, _ keyPath: any WritableKeyPath<PLIEProfile, Int> & Sendable, in range: ClosedRange<Int>,
        _ d: String
    ) -> ProfileKey {
        value(name, keyPath, d, read: { r, n, v throws(DomainError) in try r.int(n, v, in: range) }, show: { "\($0)" })
    }

    /// An optional count of months: 0 means none.
    static func months(
        _ name: String, _ keyPath: any WritableKeyPath<PLIEProfile, Int?> & Sendable, _ d: String
    ) -> ProfileKey {
        value(
            name, keyPath, d,
            read: { r, n, v throws(DomainError) in
                let months = try r.int(n, v ?? 0, in: 0...240)
                return months == 0 ? nil : months
            }, show: { "\($0 ?? 0)" })
    }

    static func decimal(
        _ name: String, _ keyPath: any WritableKeyPath<PLIEProfile, Decimal> & Sendable, in range: ClosedRange<Decimal>,
        _ d: String
    ) -> ProfileKey {
        value(
            name, keyPath, d, read: { r, n, v throws(DomainError) in try r.decimal(n, v, in: range) },
            show: { ConfigKey.quoted("\($0)") })
    }

    /// An optional share: "0" means none.
    static func share(_ name: String, _ keyPath: any WritableKeyPath<PLIEProfile, Decimal?> & Sendable, _ d: String)
        -> ProfileKey
    {
        value(
            name, keyPath, d,
            read: { r, n, v throws(DomainError) in
                let share = try r.decimal(n, v ?? 0, in: 0...1)
                return share == 0 ? nil : share
            }, show: { ConfigKey.quoted("\($0 ?? 0)") })
    }

    static func date(_ name: String, _ keyPath: any WritableKeyPath<PLIEProfile, LocalDate> & Sendable, _ d: String)
        -> ProfileKey
    {
        value(
            name, keyPath, d, read: { r, n, v throws(DomainError) in try r.date(n, v) },
            show: { ConfigKey.quoted($0.description) })
    }

    static func contracts(
        _ name: String, _ keyPath: any WritableKeyPath<PLIEProfile, [EmploymentContractType]> & Sendable, _ d: String
    ) -> ProfileKey {
        value(
            name, keyPath, d,
            read: { reader, name, current throws(DomainError) in
                try reader.stringArray(name, current.map(\.rawValue)).map { (text: String) throws(DomainError) in
                    guard let type = EmploymentContractType(rawValue: text) else {
                        throw reader.problem(
                            name,
                            "contient « \(text) », qui n'est pas un type de contrat (\(EmploymentContractType.allCases.map(\.rawValue).joined(separator: ", ")))"
                        )
                    }
                    return type
                }
            }, show: { "[\($0.map { ConfigKey.quoted($0.rawValue) }.joined(separator: ", "))]" })
    }

    static let windows = value(
        "activity_windows", \PLIEProfile.activityWindows,
        "Sustained activity: \"HOURS/MONTHS\" thresholds (624 h within at most 6 months…); [] for none.",
        read: { reader, name, current throws(DomainError) in
            try reader.stringArray(name, current.map(\.text)).map { (text: String) throws(DomainError) in
                guard let window = ActivityWindow(text: text) else {
                    throw reader.problem(
                        name, "contient « \(text) » au lieu de « HEURES/MOIS » (par exemple « 624/6 »)")
                }
                return window
            }
        }, show: { "[\($0.map { ConfigKey.quoted($0.text) }.joined(separator: ", "))]" })
}

extension PLIEProfile {
    /// Every key of a `[profiles.NAME]` table, in file order (its targets follow in `[profiles.NAME.targets]`).
    static let keys: [ProfileKey] = [
        .string("label", \.label, "Name shown on pages."),
        .string("committee", \.committee, "What the territory calls its committee."),
        .date("protocol_start", \.protocolStart, "First day of the protocol (targets over the protocol)."),
        .date("protocol_end", \.protocolEnd, "Last day of the protocol."),
        .months("pathway_months", \.pathwayMonths, "Planned pathway length in months; 0: no maximum."),
        .share(
            "extension_quota_share", \.extensionQuotaShare,
            "Extensions at most this share of a référent's file active (rounded down); \"0\": no quota."),
        .months("review_every_months", \.reviewEveryMonths, "A point d'étape every N months from entry; 0: none."),
        .months(
            "reorientation_months", \.reorientationMonths,
            "Months after which a reorientation may be proposed; 0: none."
        ),
        .int("senior_age", \.seniorAge, in: 40...70, "Age from which a participant counts as a senior."),
        .contracts(
            "qualifying_contract_types", \.qualifyingContractTypes, "Contract types of a qualifying lasting contract."),
        .int(
            "qualifying_contract_months", \.qualifyingContractMonths, in: 1...36,
            "Months a qualifying fixed-term contract lasts; a qualifying contract is established after them."),
        .bool(
            "fixed_term_must_exceed", \.fixedTermMustExceed,
            "A fixed-term contract must last more than those months (not just as many)."),
        .decimal(
            "part_time_weekly_hours", \.partTimeWeeklyHours, in: 0...48, "Weekly hours floor of a qualifying contract."),
        .bool(
            "reduced_hours_derogation", \.reducedHoursDerogation,
            "The participant's attested agreement lifts the weekly floor."),
        .contracts(
            "excluded_contract_types", \.excludedContractTypes, "Contract types that never count toward an outcome."),
        .int(
            "chain_gap_days", \.chainGapDays, in: 0...365,
            "Most days strictly between two contracts of a CDD → CDI chain."),
        ProfileKey.windows,
        .contracts(
            "activity_contract_types", \.activityContractTypes,
            "Contract types whose hours count toward sustained activity; []: all paid work."),
        .bool("activity_continuous", \.activityContinuous, "A month without hours breaks a sustained-activity window."),
        .months(
            "temp_mission_months", \.tempMissionMonths,
            "Temp missions without interruption for N months at the weekly floor or more; 0: no such rule."),
        .contracts("temp_mission_contract_types", \.tempMissionContractTypes, "Contract types that are temp missions."),
        .months(
            "subsidised_contract_months", \.subsidisedContractMonths,
            "A subsidised contract of more than N months is an outcome; 0: no such rule."),
        .share(
            "training_exit_cap_share", \.trainingExitCapShare,
            "Training exits count within this share of successful exits; \"0\": no cap."),
    ]

    /// Reads `[profiles.NAME]`: a built-in profile's table changes what it lists; another name must give
    /// every key (a new territory has no defaults to fall back on).
    static func read(name: String, _ reader: inout TOMLReader) throws(DomainError) -> PLIEProfile {
        var profile: PLIEProfile
        if let builtIn = builtIn.first(where: { $0.name == name }) {
            profile = builtIn
        } else {
            for key in keys where !reader.has(key.name) {
                throw reader.problem(key.name, "est obligatoire pour un profil qui n'est pas fourni avec le service")
            }
            guard reader.has("targets") else {
                throw reader.problem("targets", "est obligatoire pour un profil qui n'est pas fourni avec le service")
            }
            profile = istresOuestProvence2020
            profile.targets = [:]
        }
        profile.name = name
        for key in keys { try key.read(&reader, &profile) }
        if reader.has("targets") {
            var targets = try reader.section("targets")
            profile.targets = [:]
            for kind in IndicatorKind.allCases where targets.has(kind.rawValue) {
                var target = try targets.section(kind.rawValue)
                let value = try target.decimal("value", 0, in: 0...1_000_000)
                let period = try target.choice("period", TargetPeriod.year)
                try target.rejectUnknownKeys()
                profile.targets[kind] = IndicatorTarget(value, period)
            }
            try targets.rejectUnknownKeys()
        }
        try reader.rejectUnknownKeys()
        guard profile.protocolStart <= profile.protocolEnd else {
            throw reader.problem("protocol_end", "doit suivre « protocol_start »")
        }
        return profile
    }

    /// The profile as `config.toml` lines (`clauses config check`).
    func describe() -> [String] {
        var lines = ["", "[profiles.\(name)]"]
        for key in Self.keys { lines += ["# \(key.description)", "\(key.name) = \(key.show(self))"] }
        lines += ["", "[profiles.\(name).targets]"]
        for kind in IndicatorKind.allCases {
            guard let target = targets[kind] else { continue }
            lines.append("\(kind.rawValue) = { value = \"\(target.value)\", period = \"\(target.period.rawValue)\" }")
        }
        return lines
    }
}
