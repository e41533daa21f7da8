import Foundation
import PostgresClient

/// One alert as a mail lists it.
public struct DigestItem: Sendable, Equatable {
    public var severity: AlertSeverity
    public var rule: AlertRule
    public var subjectLabel: String
    public var summary: String
    public var openedOn: LocalDate
    /// Absolute link to the subject's page.
    public var url: String
    public var acknowledged: Bool
}

/// What a digest tells one person (pure input of `AlertMail.render`).
public struct Digest: Sendable, Equatable {
    public var recipient: String
    public var date: LocalDate
    /// The previous digest sent to this recipient; nil for the first.
    public var since: LocalDate?
    public var new: [DigestItem]
    public var worsened: [DigestItem]
    public var stillOpen: [DigestItem]
    /// How many of each list were left out (each list shows at most `AlertMail.listLimit` alerts).
    public var newMore = 0, worsenedMore = 0, stillOpenMore = 0
    /// Alerts the person put to sleep (not listed).
    public var snoozed = 0
    public var alertsURL: String
}

/// The French mails of alerts: the digest, and a critical alert mailed at once. Rendered in Swift from
/// typed values (a value cannot be missing), escaped for HTML.
public struct AlertMail: Sendable {
    let baseURL: String
    let teamAddress: String

    public init(baseURL: String, teamAddress: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.teamAddress = teamAddress
    }

    /// Alerts listed per section of a digest.
    public static let listLimit = 50

    func url(_ path: String) -> String { baseURL + path }

    public func render(_ digest: Digest) -> OutgoingMail {
        let newCount = digest.new.count + digest.newMore
        let worseCount = digest.worsened.count + digest.worsenedMore
        let openCount = digest.stillOpen.count + digest.stillOpenMore
        var headline: [String] = []
        if newCount > 0 { headline.append(French.count(newCount, "nouvelle", "nouvelles", .text)) }
        if worseCount > 0 { headline.append(French.count(worseCount, "aggravée", "aggravées", .text)) }
        let subject =
            "[clauses] Alertes du \(digest.date.french) : "
            + (headline.isEmpty
                ? French.count(openCount, "alerte en cours", "alertes en cours", .text)
                : headline.joined(separator: ", "))
        let since = digest.since.map { "depuis le résumé du \($0.french)" } ?? "depuis l'ouverture de votre suivi"
        var text = ["Bonjour,", "", "Voici les alertes que vous suivez, au \(digest.date.french) (\(since)).", ""]
        var html = [
            "<p>Bonjour,</p>",
            "<p>Voici les alertes que vous suivez, au \(digest.date.french) (\(HTMLText.escape(since))).</p>",
        ]
        let sections: [(String, [DigestItem], Int)] = [
            ("Nouvelles alertes", digest.new, digest.newMore),
            ("Alertes aggravées", digest.worsened, digest.worsenedMore),
            ("Toujours ouvertes", digest.stillOpen, digest.stillOpenMore),
        ]
        for (title, items, more) in sections where !items.isEmpty {
            text += ["== \(title) (\(items.count + more)) ==", ""]
            html.append("<h2 style=\"font-size:1.1em\">\(title) (\(items.count + more))</h2>")
            for severity in [AlertSeverity.critical, .warning, .info] {
                let group = items.filter { $0.severity == severity }
                guard !group.isEmpty else { continue }
                text.append("\(severity.frenchPlural) :")
                html.append("<h3 style=\"font-size:1em\">\(severity.frenchPlural)</h3><ul>")
                for item in group {
                    let state = item.acknowledged ? " (prise en compte)" : ""
                    text += [
                        "- \(item.rule.frenchLabel) — \(item.subjectLabel)\(state)",
                        "  \(item.summary)", "  Ouverte le \(item.openedOn.french) : \(item.url)",
                    ]
                    html.append(
                        "<li><strong>\(HTMLText.escape(item.rule.frenchLabel))</strong> — <a href=\"\(HTMLText.escape(item.url))\">\(HTMLText.escape(item.subjectLabel))</a>\(state)<br>\(HTMLText.escape(item.summary)) <small>(ouverte le \(item.openedOn.french))</small></li>"
                    )
                }
                text.append("")
                html.append("</ul>")
            }
            if more > 0 {
                text += [
                    "… et \(French.count(more, "autre alerte", "autres alertes", .text)) sur la page des alertes.", "",
                ]
                html.append(
                    "<p>… et \(French.count(more, "autre alerte", "autres alertes", .text)) sur la page des alertes.</p>"
                )
            }
        }
        if digest.snoozed > 0 {
            let line =
                "\(French.count(digest.snoozed, "alerte en sommeil n'est pas listée", "alertes en sommeil ne sont pas listées", .text))."
            text += [line, ""]
            html.append("<p>\(line)</p>")
        }
        text += ["Toutes les alertes : \(digest.alertsURL)"]
        html.append("<p><a href=\"\(HTMLText.escape(digest.alertsURL))\">Toutes les alertes</a></p>")
        text += [
            "",
            "Vous pouvez changer la fréquence de ce résumé (quotidien, hebdomadaire, aucun) sur la page Mon compte.",
        ]
        html.append(
            "<p>Vous pouvez changer la fréquence de ce résumé (quotidien, hebdomadaire, aucun) sur la page Mon compte.</p>"
        )
        return OutgoingMail(
            kind: .digest, to: [digest.recipient], subject: subject, text: text.joined(separator: "\n"),
            html: html.joined(separator: "\n"))
    }

    /// A critical alert, mailed at once to whoever follows it.
    public func renderImmediate(_ item: DigestItem, to recipients: [String]) -> OutgoingMail {
        OutgoingMail(
            kind: .alert, to: recipients,
            subject: "[clauses] Alerte critique : \(item.rule.frenchLabel) — \(item.subjectLabel)",
            text: [
                "Bonjour,", "", "Une alerte critique vient de s'ouvrir :", "",
                "\(item.rule.frenchLabel) — \(item.subjectLabel)", item.summary, "", "Voir : \(item.url)",
            ].joined(separator: "\n"),
            html: """
                <p>Bonjour,</p><p>Une alerte critique vient de s'ouvrir :</p>
                <p><strong>\(HTMLText.escape(item.rule.frenchLabel))</strong> — <a href="\(HTMLText.escape(item.url))">\(HTMLText.escape(item.subjectLabel))</a><br>\(HTMLText.escape(item.summary))</p>
                """)
    }

    /// Current alerts as digest items, with the columns `DigestItem.row` reads.
    static let itemColumns = """
        a.id, a.rule, a.severity, a.subject_label, a.summary, a.opened_on, a.subject_id, a.subject_key, a.lot_id,
        a.participant_id, a.state, a.opened_at, a.worsened_at
        """

    func item(_ row: PostgresRow) throws -> DigestItem {
        let rule: AlertRule = try row.decodeEnum(1, table: "alerts", column: "rule")
        let state: AlertState = try row.decodeEnum(10, table: "alerts", column: "state")
        return DigestItem(
            severity: try row.decodeEnum(2, table: "alerts", column: "severity"), rule: rule,
            subjectLabel: try row.decode(3), summary: try row.decode(4), openedOn: try row.decode(5),
            url: url(
                Alert.path(
                    rule: rule, subjectId: try row.decode(6), key: try row.decode(7), lot: try row.decode(8),
                    participant: try row.decode(9))), acknowledged: state == .acknowledged)
    }

    /// Mails the critical alerts `ids` at once to their followers and the team; returns the messages written.
    func mailAtOnce(_ ids: [Int64], now: Date, outbox: OutboxStore, on connection: PostgresConnection) async throws
        -> Int
    {
        let rows = try await connection.query(
            """
            SELECT \(Self.itemColumns),
                   ARRAY(SELECT u.email FROM users u WHERE u.active AND u.id IN (\(AlertStore.followers("a"))) ORDER BY u.email)
            FROM alerts a WHERE a.id = ANY($1::bigint[]) ORDER BY a.id
            """, [PostgresTextArray(ids.map(String.init))])
        var sent = 0
        for row in rows {
            var recipients = try row.decode(13, as: PostgresTextArray.self).values
            if !teamAddress.isEmpty, !recipients.contains(teamAddress) { recipients.append(teamAddress) }
            guard !recipients.isEmpty else { continue }
            try await outbox.enqueue(renderImmediate(try item(row), to: recipients), on: connection, now: now)
            sent += 1
        }
        return sent
    }
}
