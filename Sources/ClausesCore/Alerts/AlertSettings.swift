import Foundation

/// A numeric parameter of an alert rule, by its `config.toml` key.
public enum AlertParameter: String, CaseIterable, Sendable {
    /// Days ahead a rule looks (ending soon, proof expiring, review due, length reached) or after a
    /// start (without placement).
    case days
    /// Days at which the alert takes its escalated severity (days left, or days since the start).
    case escalateDays = "escalate_days"
    /// Lot behind: the shortfall, as a share of the expected hours, from which it escalates.
    case escalateShortfallShare = "escalate_shortfall_share"
    /// Missing report: a month's report is due by this day of the next month.
    case reportDay = "report_day"
    /// Missing report: how many months back the scan looks.
    case lookbackMonths = "lookback_months"
    /// Missing report: escalated when the month is this many months before the scan's month.
    case escalateMonths = "escalate_months"

    /// Every parameter but a share counts whole days or months.
    var isInteger: Bool { self != .escalateShortfallShare }

    var range: ClosedRange<Decimal> {
        switch self {
        case .days, .escalateDays: 0...3650
        case .escalateShortfallShare: 0...1
        case .reportDay: 1...28
        case .lookbackMonths, .escalateMonths: 1...36
        }
    }

    var description: String {
        switch self {
        case .days: "days looked ahead (or after the start)"
        case .escalateDays: "days at which the escalated severity applies"
        case .escalateShortfallShare: "shortfall share of the expected hours from which it escalates"
        case .reportDay: "day of the next month by which a month's report is due"
        case .lookbackMonths: "months looked back"
        case .escalateMonths: "months late from which it escalates"
        }
    }
}

/// One rule's `[alert_rules.NAME]` table: whether it runs, its two severity levels and its parameters.
public struct AlertRuleSettings: Sendable, Equatable {
    public var enabled = true
    /// The severity when the rule matches.
    public var severity: AlertSeverity
    /// The severity once its escalation condition holds (see each rule).
    public var escalatedSeverity: AlertSeverity
    public var parameters: [AlertParameter: Decimal]
    /// Mail the alert at once to those who follow it when it opens (or rises to) critical, besides the digest.
    public var mailAtOnce = false

    public func decimal(_ parameter: AlertParameter) -> Decimal { parameters[parameter] ?? 0 }
    public func int(_ parameter: AlertParameter) -> Int { NSDecimalNumber(decimal: decimal(parameter)).intValue }

    /// `escalated` picks the escalated severity.
    func severity(escalated: Bool) -> AlertSeverity { escalated ? escalatedSeverity : severity }
}

extension AlertRule {
    /// The documented defaults (`config.toml`).
    public var defaultSettings: AlertRuleSettings {
        func make(_ severity: AlertSeverity, _ escalated: AlertSeverity, _ parameters: [AlertParameter: Decimal] = [:])
            -> AlertRuleSettings
        {
            AlertRuleSettings(severity: severity, escalatedSeverity: escalated, parameters: parameters)
        }
        switch self {
        case .lotBehind: return make(.warning, .critical, [.escalateShortfallShare: Decimal(string: "0.25") ?? 0])
        case .lotEndingSoon: return make(.warning, .critical, [.days: 30, .escalateDays: 7])
        case .lotNonCompliant:
            var settings = make(.critical, .critical)
            settings.mailAtOnce = true
            return settings
        case .lotWithoutPlacement: return make(.warning, .critical, [.days: 30, .escalateDays: 90])
        case .missingHourReport:
            return make(.warning, .critical, [.reportDay: 10, .lookbackMonths: 6, .escalateMonths: 3])
        case .proofExpiring: return make(.warning, .critical, [.days: 30, .escalateDays: 7])
        case .pathwayReviewDue: return make(.info, .warning, [.days: 15])
        case .pathwayLengthReached: return make(.warning, .critical, [.days: 30])
        case .pathwayReorientation: return make(.info, .info)
        case .extensionQuotaExceeded: return make(.warning, .warning)
        case .outcomeAwaitingCommittee: return make(.info, .warning, [.escalateDays: 60])
        }
    }

    /// The parameters its table accepts.
    var parameters: [AlertParameter] {
        AlertParameter.allCases.filter { defaultSettings.parameters[$0] != nil }
    }
}

/// `[alerts]` and `[alert_rules.NAME]`.
public struct AlertSettings: Sendable {
    /// The team's address: it receives a digest of every alert; empty: none.
    public var teamAddress = ""
    /// Send a digest even when nothing is new or worse since the last one.
    public var digestWhenNothingNew = false
    public var rules: [AlertRule: AlertRuleSettings] = Dictionary(
        uniqueKeysWithValues: AlertRule.allCases.map { ($0, $0.defaultSettings) })

    public func settings(_ rule: AlertRule) -> AlertRuleSettings { rules[rule] ?? rule.defaultSettings }

    /// Reads `[alert_rules.NAME]` tables: an unknown rule, severity or parameter is refused naming its key.
    static func readRules(_ reader: inout TOMLReader) throws(DomainError) -> [AlertRule: AlertRuleSettings] {
        var rules = Dictionary(uniqueKeysWithValues: AlertRule.allCases.map { ($0, $0.defaultSettings) })
        for name in reader.table?.keys ?? [] {
            var table = try reader.section(name)
            guard let rule = AlertRule(rawValue: name) else {
                throw DomainError(
                    .unprocessable, code: .configInvalid,
                    message:
                        "configuration : « alert_rules.\(name) » : règle d'alerte inconnue (règles : \(AlertRule.allCases.map(\.rawValue).joined(separator: ", ")))",
                    field: "alert_rules.\(name)")
            }
            var settings = rule.defaultSettings
            settings.enabled = try table.bool("enabled", settings.enabled)
            settings.severity = try table.choice("severity", settings.severity)
            settings.escalatedSeverity = try table.choice("escalated_severity", settings.escalatedSeverity)
            settings.mailAtOnce = try table.bool("mail_at_once", settings.mailAtOnce)
            if settings.escalatedSeverity < settings.severity {
                throw table.problem("escalated_severity", "ne peut pas être moins grave que « severity »")
            }
            for parameter in rule.parameters {
                let value = try table.decimal(parameter.rawValue, settings.decimal(parameter), in: parameter.range)
                if parameter.isInteger && French.round(value, scale: 0) != value {
                    throw table.problem(parameter.rawValue, "doit être un nombre entier (reçu \(value))")
                }
                settings.parameters[parameter] = value
            }
            try table.rejectUnknownKeys()
            rules[rule] = settings
        }
        return rules
    }

    /// The tables as `config check` shows them.
    static func describe(_ alerts: AlertSettings) -> [String] {
        AlertRule.allCases.flatMap { rule -> [String] in
            let settings = alerts.settings(rule)
            return [
                "", "[alert_rules.\(rule.rawValue)]", "# \(rule.frenchLabel)", "enabled = \(settings.enabled)",
                "severity = \"\(settings.severity.rawValue)\"",
                "escalated_severity = \"\(settings.escalatedSeverity.rawValue)\"",
                "mail_at_once = \(settings.mailAtOnce)",
            ]
                + rule.parameters.flatMap { ["# \($0.description)", "\($0.rawValue) = \(settings.decimal($0))"] }
        }
    }
}
