import ClausesCore
import Foundation
import Hummingbird
import MultipartKit

/// `/imports` (check then import a CSV of hours or participants, with a template file per kind) and
/// `/sorties-positives` (candidates and the committee's decisions).
struct LedgerPageRoutes {
    let services: AppServices
    let pages: PageRenderer
    let reader: RequestReader
    let forms: WebForms

    func registerImports(on editors: RouterGroup<EditorContext>) {
        editors.get(RouterPath(Web.imports.pattern)) { request, context in
            let kind = request.queryDictionary["type"].flatMap(ImportKind.init(rawValue:)) ?? .hours
            return try await pages.render(
                ImportsPage(kind: kind, options: .init()), request: request, context: context)
        }
        editors.post(RouterPath(Web.imports.pattern)) { request, context in
            try await upload(request: request, context: context)
        }
        editors.get(RouterPath(Web.importTemplate.pattern)) { _, context in
            guard let kind = context.parameters.get("kind").flatMap(ImportKind.init(rawValue:)) else {
                throw DomainError.notFound("Modèle de fichier inconnu.")
            }
            return CSVResponse.response(Self.template(kind), fileName: "modele-\(kind.rawValue).csv")
        }
    }

    func registerOutcomes(on staff: RouterGroup<StaffContext>) {
        staff.get(RouterPath(Web.outcomes.pattern)) { request, context in
            try await pages.render(
                try await outcomes(context.caller, asOf: try reader.pageDate(request, "au", label: "au")),
                request: request,
                context: context)
        }
    }

    // MARK: Imports

    /// The example line of each kind's template file.
    static func template(_ kind: ImportKind) -> String {
        switch kind {
        case .hours:
            var file = FrenchCSV(header: HoursImport.schema.columns.map(\.label))
            file.row(["MEP-2026-00001", "10/2026", "151,67", "0", ""])
            return file.text
        case .participants:
            var file = FrenchCSV(header: ParticipantsImport.schema.columns.map(\.label))
            file.row([
                "PLIE-0001", "MARTIN", "Nadia", "14/03/1988", "F", "13047", "oui", "V", "France Travail",
                "demandeur d'emploi", "PLIE Ouest Provence", "02/02/2026", "oui", "non", "20", "01/03/2026",
                "F1703", "RSA", "15/01/2026",
            ])
            return file.text
        }
    }

    struct ImportOptions: Codable, Sendable {
        var dryRun = true
        var replace = false
        var confirm = false
        var validate = false
    }

    struct ImportsPage: PageModel {
        static let template = "imports"
        static let hasForms = true
        struct Kind: Codable, Sendable {
            let value: String
            let label: String
            let selected: Bool
        }
        struct Column: Codable, Sendable {
            let label: String
            let required: Bool
        }
        struct Result: Codable, Sendable {
            let summary: String
            let ok: Bool
            let problems: [String]
            let warnings: [String]
            /// A checked file kept for « Importer pour de bon ».
            let draft: String?
            let awaitingValidation: Bool
        }
        var title = "Importer un fichier"
        let kinds: [Kind]
        let columns: [Column]
        let templateLink: String
        let isHours: Bool
        let options: ImportOptions
        let result: Result?
        let queueLink: String

        init(kind: ImportKind, options: ImportOptions, result: Result? = nil) {
            kinds = ImportKind.allCases.map { .init(value: $0.rawValue, label: $0.frenchLabel, selected: $0 == kind) }
            let schema = kind == .hours ? HoursImport.schema : ParticipantsImport.schema
            columns = schema.columns.map { .init(label: $0.label, required: $0.isRequired) }
            templateLink = Web.importTemplate.path([kind.rawValue])
            isHours = kind == .hours
            self.options = options
            self.result = result
            queueLink = Web.reviewQueue.path()
        }
    }

    struct Upload: Decodable {
        let _csrf: String
        let _once: String
        let kind: String
        let file: Data
        let dryRun: String?
        let replace: String?
        let confirm: String?
        let validate: String?
    }

    struct ConfirmDraft: PostedForm {
        let _csrf: String
        let _once: String
        let draft: String
    }

    private func upload(request: Request, context: EditorContext) async throws -> Response {
        let caller = context.caller
        let viewer = context.signedIn
        let draft: FormStore.ImportDraft
        let dryRun: Bool
        var keptId: UUID?
        if let type = request.headers[.contentType], type.hasPrefix("application/x-www-form-urlencoded") {
            let form = try await forms.decode(ConfirmDraft.self, from: request, context: context)
            guard let id = UUID(uuidString: form.draft),
                let kept = try await services.forms.draft(id, userId: viewer.user.id)
            else {
                throw DomainError.conflict(
                    "Ce fichier vérifié n'est plus disponible (déjà importé, ou vérifié il y a plus de deux heures) : choisissez-le de nouveau.",
                    code: .formAlreadySent)
            }
            (draft, dryRun, keptId) = (kept, false, id)
        } else {
            let form = try await multipart(request)
            try await forms.checkTokens(csrf: form._csrf, once: form._once, context: context)
            guard let kind = ImportKind(rawValue: form.kind) else {
                throw DomainError.invalid("kind", "Type de fichier inconnu : choisissez-le dans la liste.")
            }
            guard !form.file.isEmpty else { throw DomainError.invalid("file", "Choisissez un fichier CSV à importer.") }
            draft = FormStore.ImportDraft(
                kind: kind, replace: form.replace != nil, confirm: form.confirm != nil, validate: form.validate != nil,
                content: form.file)
            dryRun = form.dryRun != nil
        }
        let report: ImportReport =
            switch draft.kind {
            case .participants:
                try await services.ledger.imports.importParticipants(
                    data: draft.content, caller: caller, dryRun: dryRun, validateCriteria: draft.validate)
            case .hours:
                try await services.ledger.imports.importHours(
                    data: draft.content, caller: caller, replace: draft.replace, confirmPlausible: draft.confirm,
                    dryRun: dryRun, validate: draft.validate)
            }
        let summary =
            switch report.status {
            case .written:
                "Import terminé : \(report.lines) ligne(s) lue(s), \(report.created) créée(s), \(report.updated) corrigée(s), \(report.unchanged) inchangée(s)."
            case .dryRun:
                "Vérification réussie, rien n'a été écrit : \(report.created) à créer, \(report.updated) à corriger, \(report.unchanged) inchangée(s)."
            case .rejected:
                "Fichier refusé : \(report.problemSummary). Rien n'a été écrit ; corrigez le fichier et recommencez."
            case .confirmationRequired:
                "Des heures dépassent le plafond plausible : vérifiez-les puis cochez « Confirmer » pour importer. Rien n'a été écrit."
            }
        // A checked file is forgotten once imported; refused, it stays until it expires.
        if report.written, let keptId { try await services.forms.discardDraft(keptId) }
        let kept =
            report.status == .dryRun ? try await services.forms.keepDraft(draft, for: viewer.user.id).slug : nil
        let options = ImportOptions(
            dryRun: dryRun, replace: draft.replace, confirm: draft.confirm, validate: draft.validate)
        let page = ImportsPage(
            kind: draft.kind, options: options,
            result: .init(
                summary: summary, ok: report.written || report.status == .dryRun,
                problems: report.problems.map(\.frenchDescription), warnings: report.warnings.map(\.frenchDescription),
                draft: kept,
                awaitingValidation: draft.kind == .hours && report.written && !draft.validate
                    && report.created + report.updated > 0))
        return try await pages.render(
            page, request: request, context: context, status: report.status == .rejected ? .unprocessableContent : .ok)
    }

    private func multipart(_ request: Request) async throws -> Upload {
        guard let type = request.headers[.contentType],
            let boundary = type.split(separator: ";").lazy
                .map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: { $0.hasPrefix("boundary=") })?
                .dropFirst("boundary=".count)
        else {
            throw DomainError(
                .badRequest, code: .invalidForm, message: "Envoyez le fichier avec le formulaire de la page.")
        }
        let body = try await reader.body(request, limit: reader.importLimit)
        do {
            return try FormDataDecoder().decode(
                Upload.self, from: body,
                boundary: String(boundary).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        } catch {
            throw DomainError(
                .badRequest, code: .invalidForm,
                message: "Formulaire d'import illisible : choisissez un fichier et recommencez.")
        }
    }

    // MARK: Outcomes

    struct OutcomesPage: PageModel {
        static let template = "outcomes"
        struct Candidate: Codable, Sendable {
            /// The confirmation page where the decision (or the référent's proposal) is recorded.
            let decide: String
            let reference: String
            let name: String
            let plie: String
            let ruleLabel: String
            let establishedFr: String
            let evidence: String
            let unvalidated: Bool
            let proposedBy: String?
        }

        var title = "Sorties positives à proposer au comité"
        let asOf: String
        let candidates: [Candidate]
        /// Facilitators and admins record the committee's decision; a référent proposes.
        let decides: Bool
    }

    private func outcomes(_ caller: Caller, asOf: LocalDate?) async throws -> OutcomesPage {
        let asOf = asOf ?? services.clock.today
        let candidates = try await services.ledger.outcomes.candidates(caller, asOf: asOf)
        return OutcomesPage(
            asOf: asOf.french,
            candidates: candidates.map { c in
                OutcomesPage.Candidate(
                    decide: Web.outcomeDecision.path(
                        query: [
                            ("parcours", c.pathwayId.slug), ("regle", c.candidate.rule.rawValue),
                            ("etablie", c.candidate.establishedOn.description),
                        ]), reference: c.reference, name: c.participantName, plie: c.plieName,
                    ruleLabel: c.candidate.rule.frenchLabel, establishedFr: c.candidate.establishedOn.french,
                    evidence: c.candidate.evidence, unvalidated: c.includesUnvalidatedHours, proposedBy: c.proposedBy)
            },
            decides: caller.canEditReferential)
    }
}
