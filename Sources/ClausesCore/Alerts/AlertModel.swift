import Foundation

/// The alert rules of DOMAIN §9, by the names `config.toml` (`[alert_rules.NAME]`) and the API use.
public enum AlertRule: String, InputEnum {
    case lotBehind = "lot_behind"
    case lotEndingSoon = "lot_ending_soon"
    case lotNonCompliant = "lot_non_compliant"
    case lotWithoutPlacement = "lot_without_placement"
    case missingHourReport = "missing_hour_report"
    case proofExpiring = "proof_expiring"
    case pathwayReviewDue = "pathway_review_due"
    case pathwayLengthReached = "pathway_length_reached"
    case pathwayReorientation = "pathway_reorientation"
    case extensionQuotaExceeded = "extension_quota_exceeded"
    case outcomeAwaitingCommittee = "outcome_awaiting_committee"

    public var frenchLabel: String {
        switch self {
        case .lotBehind: "Lot en retard"
        case .lotEndingSoon: "Lot bientôt terminé, heures restantes"
        case .lotNonCompliant: "Lot terminé non conforme"
        case .lotWithoutPlacement: "Lot sans mise à l'emploi"
        case .missingHourReport: "Relevé d'heures mensuel manquant"
        case .proofExpiring: "Justificatif d'éligibilité bientôt expiré"
        case .pathwayReviewDue: "Point d'étape à faire"
        case .pathwayLengthReached: "Durée de parcours atteinte"
        case .pathwayReorientation: "Parcours long : réorientation possible"
        case .extensionQuotaExceeded: "Quota de prolongations dépassé"
        case .outcomeAwaitingCommittee: "Sortie positive en attente du comité"
        }
    }

    /// What the rule's subjects are.
    public var subjectKind: AlertSubjectKind {
        switch self {
        case .lotBehind, .lotEndingSoon, .lotNonCompliant, .lotWithoutPlacement: .lot
        case .missingHourReport: .placement
        case .proofExpiring: .placement
        case .pathwayReviewDue, .pathwayLengthReached, .pathwayReorientation: .pathway
        case .extensionQuotaExceeded: .referent
        case .outcomeAwaitingCommittee: .proposal
        }
    }
}

public enum AlertSeverity: String, InputEnum, Comparable {
    case info, warning, critical

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool { lhs.rank < rhs.rank }

    var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }

    public var frenchLabel: String {
        switch self {
        case .info: "Information"
        case .warning: "Attention"
        case .critical: "Critique"
        }
    }

    /// `3 critiques`, `1 à surveiller`, `2 pour information` (the dashboard's counts).
    public func frenchCount(_ count: Int) -> String {
        switch self {
        case .info: "\(count) pour information"
        case .warning: "\(count) à surveiller"
        case .critical: French.count(count, "critique", "critiques", .text)
        }
    }

    public var frenchPlural: String {
        switch self {
        case .info: "Informations"
        case .warning: "À surveiller"
        case .critical: "Critiques"
        }
    }
}

/// Where an alert stands. Only `closed` ends it; the others are its current life.
public enum AlertState: String, InputEnum {
    case open, acknowledged, snoozed, closed

    public var frenchLabel: String {
        switch self {
        case .open: "Ouverte"
        case .acknowledged: "Prise en compte"
        case .snoozed: "En sommeil"
        case .closed: "Close"
        }
    }
}

public enum AlertSubjectKind: String, InputEnum {
    case lot, placement, pathway, referent, proposal
}

/// One figure of an alert: a name and a decimal (or date) string, as stored in `alerts.data`.
public struct AlertFigure: Sendable, Equatable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// A decimal with exactly `scale` fraction digits (`50.00`), rounded half-up.
    public static func decimal(_ name: String, _ value: Decimal, scale: Int = 2) -> AlertFigure {
        AlertFigure(name, fixed(value, scale: scale))
    }

    public static func integer(_ name: String, _ value: Int) -> AlertFigure { AlertFigure(name, String(value)) }

    public static func date(_ name: String, _ value: LocalDate) -> AlertFigure { AlertFigure(name, value.description) }

    static func fixed(_ value: Decimal, scale: Int) -> String {
        let rounded = French.round(value, scale: scale)
        let text = "\(rounded)"
        guard scale > 0 else { return text }
        let parts = text.split(separator: ".", maxSplits: 1)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        return "\(parts[0]).\(fraction.padding(toLength: scale, withPad: "0", startingAt: 0))"
    }
}

/// What an alert is about: its subject, a label people can read (never a person's name), and where it is
/// routed (the lot's facilitators, the pathway's référent, the référent of a quota).
public struct AlertSubject: Sendable, Equatable {
    public var kind: AlertSubjectKind
    public var id: UUID
    /// Tells apart alerts of one subject (a missing report's month, a quota's PLIE); empty otherwise.
    public var key: String
    public var label: String
    public var lotId: UUID?
    public var pathwayId: UUID?
    public var participantId: UUID?
    public var referentUserId: UUID?

    public init(
        kind: AlertSubjectKind, id: UUID, key: String = "", label: String, lotId: UUID? = nil, pathwayId: UUID? = nil,
        participantId: UUID? = nil, referentUserId: UUID? = nil
    ) {
        self.kind = kind
        self.id = id
        self.key = key
        self.label = label
        self.lotId = lotId
        self.pathwayId = pathwayId
        self.participantId = participantId
        self.referentUserId = referentUserId
    }
}

/// A rule that matches on a scan: its severity, its figures and a French sentence saying them.
public struct AlertFinding: Sendable, Equatable {
    public var rule: AlertRule
    public var severity: AlertSeverity
    public var figures: [AlertFigure]
    public var summary: String

    /// The figures as the JSON object stored in `alerts.data`, keys sorted as PostgreSQL sorts a `jsonb`'s
    /// (by length, then bytes): the same figures always give the same text, and the same fingerprint.
    public var dataJSON: String {
        let sorted = figures.sorted {
            $0.name.utf8.count != $1.name.utf8.count
                ? $0.name.utf8.count < $1.name.utf8.count : Array($0.name.utf8).lexicographicallyPrecedes($1.name.utf8)
        }
        return "{" + sorted.map { "\(Self.quoted($0.name)): \(Self.quoted($0.value))" }.joined(separator: ", ") + "}"
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A finding on its subject: what one scan found for one (rule, subject).
public struct AlertMatch: Sendable, Equatable {
    public var subject: AlertSubject
    public var finding: AlertFinding

    /// The identity an alert is opened once for.
    public var identity: AlertIdentity {
        AlertIdentity(rule: finding.rule, kind: subject.kind, id: subject.id, key: subject.key)
    }
}

public struct AlertIdentity: Hashable, Sendable {
    public var rule: AlertRule
    public var kind: AlertSubjectKind
    public var id: UUID
    public var key: String
}
