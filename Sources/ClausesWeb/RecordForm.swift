import ClausesCore
import Foundation
import Hummingbird

/// One control of a record form, as the shared `form-fields` partial draws it: an `<input>`, a
/// `<select>`, a checkbox or a `<textarea>`, with its label, a hint and the refusal next to it.
struct FormField: Codable, Sendable {
    let name: String
    let domId: String
    let label: String
    let value: String
    let fieldHint: String?
    let fieldError: String?
    let required: Bool
    let isInput: Bool
    let inputType: String
    let isSelect: Bool
    let choices: [SelectOption]
    let isCheckbox: Bool
    let checked: Bool
    let isTextarea: Bool
    /// The ids of the hint and the refusal a screen reader reads with the control (nil: none).
    let describedBy: String?
    /// What a browser may fill in (passwords: `current-password`, `new-password`).
    let autocomplete: String?
}

/// Fields under an optional legend (a `<fieldset>`); `group` names a fieldset a page script may hide.
struct FormSection: Codable, Sendable {
    let legend: String?
    let fields: [FormField]
    var group: String? = nil
}

/// What a record form shows: the values typed (or stored, on first opening) and the refusals by field.
/// Its readers turn a posted value into a typed one and note a French refusal next to the field; its
/// builders draw the fields with those values and refusals.
struct FormDraft: Sendable {
    var values: [String: String]
    var errors: [String: String] = [:]
    /// A refusal about the whole form (a record changed meanwhile, a rule over several fields).
    var problem: String?
    let dates: DateWindow

    init(_ values: [String: String] = [:], dates: DateWindow) {
        self.values = values
        self.dates = dates
    }

    var isValid: Bool { errors.isEmpty && problem == nil }

    // MARK: Reading

    /// The trimmed text, or nil when empty; a required empty field is refused.
    mutating func text(_ name: String, required: Bool = false) -> String? {
        let text = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if text.isEmpty {
            if required { errors[name] = "Ce champ est obligatoire." }
            return nil
        }
        return text
    }

    /// The trimmed text as the stores read optional texts: "" clears the stored value.
    func clearable(_ name: String) -> String {
        values[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    func flag(_ name: String) -> Bool { values[name] != nil && values[name] != "" }

    /// Of these optional fields, those the form sends empty: an edit empties them in the store (`clear`).
    func emptied(_ names: Set<String>) -> [String] {
        names.filter { (values[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty }.sorted()
    }

    mutating func date(_ name: String, required: Bool = false) -> LocalDate? {
        guard let text = text(name, required: required) else { return nil }
        let window = dates
        return note(name) { () throws(DomainError) in try window.parseTyped(text, field: name) }
    }

    mutating func decimal(_ name: String, required: Bool = false) -> Decimal? {
        guard let text = text(name, required: required) else { return nil }
        return note(name) { () throws(DomainError) in try FrenchNumber.parseDecimal(text, field: name) }
    }

    /// A share typed in percent (« 40 » or « 40 % » is 0,4; « 12,5 » is 0,125).
    mutating func percent(_ name: String, required: Bool = false) -> Decimal? {
        guard let text = text(name, required: required) else { return nil }
        return note(name) { () throws(DomainError) in
            text.contains("%")
                ? try FrenchNumber.parseRate(text, field: name) : try FrenchNumber.parseDecimal(text, field: name) / 100
        }
    }

    mutating func integer(_ name: String, required: Bool = false) -> Int? {
        guard let text = text(name, required: required) else { return nil }
        guard let value = Int(text) else {
            errors[name] = "« \(text) » n'est pas un nombre entier."
            return nil
        }
        return value
    }

    mutating func choice<E: InputEnum>(_ name: String, required: Bool = false) -> E? {
        guard let text = text(name, required: required) else { return nil }
        guard let value = E(rawValue: text) else {
            errors[name] = "Choix inconnu « \(text) »."
            return nil
        }
        return value
    }

    mutating func uuid(_ name: String, required: Bool = false) -> UUID? {
        guard let text = text(name, required: required) else { return nil }
        guard let value = UUID(uuidString: text) else {
            errors[name] = "Choix inconnu « \(text) »."
            return nil
        }
        return value
    }

    private mutating func note<T>(_ name: String, _ parse: () throws(DomainError) -> T) -> T? {
        do {
            return try parse()
        } catch {
            errors[name] = error.message
            return nil
        }
    }

    /// A store's refusal: next to its field when the form shows one (`fieldNames` maps the store's field
    /// names to the form's), else above the form.
    mutating func absorb(_ error: DomainError, fieldNames: [String: String] = [:]) {
        let name = error.field.map { fieldNames[$0] ?? $0 }
        if let name, values.keys.contains(name) || fieldNames.values.contains(name) {
            errors[name] = error.message
        } else {
            problem = error.message
        }
    }

    // MARK: Drawing

    private func field(
        _ name: String, _ label: String, hint: String?, required: Bool, input: String? = nil,
        choices: [SelectOption] = [], checkbox: Bool = false, textarea: Bool = false
    ) -> FormField {
        let domId = "f-" + name.replacingOccurrences(of: ".", with: "-")
        let described = [hint.map { _ in domId + "-hint" }, errors[name].map { _ in domId + "-error" }].compactMap {
            $0
        }
        return FormField(
            name: name, domId: domId, label: label, value: values[name] ?? "", fieldHint: hint,
            fieldError: errors[name], required: required, isInput: input != nil, inputType: input ?? "",
            isSelect: !choices.isEmpty || (input == nil && !checkbox && !textarea),
            choices: choices, isCheckbox: checkbox, checked: flag(name), isTextarea: textarea,
            describedBy: described.isEmpty ? nil : described.joined(separator: " "),
            autocomplete: input == "password" ? (name == "current" ? "current-password" : "new-password") : nil)
    }

    func input(_ name: String, _ label: String, type: String = "text", required: Bool = false, hint: String? = nil)
        -> FormField
    {
        field(name, label, hint: hint, required: required, input: type)
    }

    func date(_ name: String, _ label: String, required: Bool = false, hint: String? = nil) -> FormField {
        field(name, label, hint: hint, required: required, input: "date")
    }

    /// A `<select>` of `options` (value, label); `blank` adds a first empty choice with that label.
    func select(
        _ name: String, _ label: String, options: [(String, String)], blank: String? = nil, required: Bool = false,
        hint: String? = nil
    ) -> FormField {
        let current = values[name] ?? ""
        let choices =
            (blank.map { [("", $0)] } ?? []) + options
        return field(
            name, label, hint: hint, required: required,
            choices: choices.map { SelectOption(value: $0.0, label: $0.1, selected: $0.0 == current) })
    }

    func select<E: InputEnum>(
        _ name: String, _ label: String, _ type: E.Type, label french: (E) -> String, blank: String? = nil,
        required: Bool = false, hint: String? = nil
    ) -> FormField {
        select(
            name, label, options: E.allCases.map { ($0.rawValue, french($0)) }, blank: blank, required: required,
            hint: hint)
    }

    func checkbox(_ name: String, _ label: String, hint: String? = nil) -> FormField {
        field(name, label, hint: hint, required: false, checkbox: true)
    }

    func textarea(_ name: String, _ label: String, required: Bool = false, hint: String? = nil) -> FormField {
        field(name, label, hint: hint, required: required, textarea: true)
    }
}

/// A record form page: sections of fields, the version the record had when opened, and maybe a preview
/// the server computed (the clause calculator, the eligibility check) before anything is saved.
struct RecordFormPage: PageModel {
    static let template = "record-form"
    static let hasForms = true
    struct Preview: Codable, Sendable {
        let heading: String
        let lines: [String]
        let good: Bool
    }
    let title: String
    let intro: String?
    let backLink: String
    let backLabel: String
    let action: String
    var version: String
    let sections: [FormSection]
    let problem: String?
    let submit: String
    /// A second button that checks and shows the preview without saving (« Calculer », « Vérifier »).
    let previewButton: String?
    let preview: Preview?
    /// A script of the site's own files the form uses (the clause calculator's).
    let script: String?

    init(
        title: String, intro: String? = nil, back: (link: String, label: String), action: String,
        version: RecordVersion? = nil, draft: FormDraft, sections: [FormSection], submit: String,
        previewButton: String? = nil, preview: Preview? = nil, script: String? = nil
    ) {
        self.title = title
        self.intro = intro
        backLink = back.link
        backLabel = back.label
        self.action = action
        self.version = version?.description ?? ""
        self.sections = sections
        // A refusal about a field the form does not show is said above it.
        let shown = Set(sections.flatMap { $0.fields.map(\.name) })
        let orphans = draft.errors.filter { !shown.contains($0.key) }.map(\.value).sorted()
        let said = (draft.problem.map { [$0] } ?? []) + orphans
        problem = said.isEmpty ? nil : said.joined(separator: " ")
        self.submit = submit
        self.previewButton = previewButton
        self.preview = preview
        self.script = script.map { Web.asset.path([$0]) }
    }
}

/// A record form as posted: the page's tokens, the record's version, the fields (`f[name]`) and which
/// button was pressed (`intent`: `save`, or `preview` to compute without saving).
struct PostedRecord: PostedForm {
    let _csrf: String
    let _once: String
    let version: String?
    let f: [String: String]?
    let intent: String?

    var expected: RecordVersion? { version.flatMap(RecordVersion.init(text:)) }
    var isPreview: Bool { intent == "preview" }
}

extension WebForms {
    /// Reads a record form: tokens checked, then its fields as a draft to read and to show again.
    func record(from request: Request, context: some PageContext, dates: DateWindow) async throws
        -> (PostedRecord, FormDraft)
    {
        let posted = try await decode(PostedRecord.self, from: request, context: context)
        return (posted, FormDraft(posted.f ?? [:], dates: dates))
    }
}

/// What a form's page and save read of the request: who asks, the path's ids, the query.
struct FormTarget: Sendable {
    let caller: Caller
    let request: Request
    let parameters: Parameters

    /// A path parameter that must be a UUID (`id` by default).
    func id(_ name: String = "id") throws(DomainError) -> UUID { try parameters.uuid(name) }
}

/// A context whose handlers always have a caller: signed-in pages and the role-gated groups.
protocol CallerContext: PageContext {
    var caller: Caller { get }
}

extension SignedInContext: CallerContext {}
extension GatedContext: CallerContext {}

/// The round trip every record form makes: shown with stored values; posted, read into typed values,
/// saved by its store, then a redirect (303) with a notice; refused, shown again with what was typed and
/// each refusal next to its field (422, or 409 when the record changed meanwhile).
struct RecordForms: Sendable {
    let pages: PageRenderer
    let forms: WebForms
    let dates: DateWindow

    typealias Page = @Sendable (FormDraft?, FormTarget) async throws -> RecordFormPage
    typealias Save = @Sendable (inout FormDraft, PostedRecord, FormTarget) async throws -> String?
    typealias FieldNames = @Sendable (FormDraft) -> [String: String]

    func draft(_ values: [String: String] = [:]) -> FormDraft { FormDraft(values, dates: dates) }

    /// One form's two routes. GET shows `page` with a nil draft (the stored values); POST reads the form,
    /// `save` reads the draft and calls the store, and gives the path to go to (nil: the draft itself is
    /// refused). `fieldNames` maps the store's field names to the form's, for refusals shown beside them.
    func register<Context: CallerContext>(
        _ group: RouterGroup<Context>, _ route: WebRoute, fieldNames: @escaping FieldNames = { _ in [:] },
        page: @escaping Page, save: @escaping Save
    ) {
        group.get(RouterPath(route.pattern)) { request, context in
            let target = FormTarget(caller: context.caller, request: request, parameters: context.parameters)
            return try await pages.render(try await page(nil, target), request: request, context: context)
        }
        group.post(RouterPath(route.pattern)) { request, context in
            let target = FormTarget(caller: context.caller, request: request, parameters: context.parameters)
            return try await post(
                request: request, context: context, fieldNames: fieldNames, page: { try await page($0, target) },
                save: { draft, posted in try await save(&draft, posted, target) })
        }
    }

    private func post(
        request: Request, context: some PageContext, fieldNames: FieldNames,
        page: (FormDraft) async throws -> RecordFormPage, save: (inout FormDraft, PostedRecord) async throws -> String?
    ) async throws -> Response {
        let (posted, read) = try await forms.record(from: request, context: context, dates: dates)
        var draft = read
        var status = HTTPResponse.Status.unprocessableContent
        do {
            if let path = try await save(&draft, posted), draft.isValid { return .afterPost(to: path) }
        } catch let refusal as DomainError where [.unprocessable, .conflict, .badRequest].contains(refusal.kind) {
            draft.absorb(refusal, fieldNames: fieldNames(draft))
            if refusal.kind == .conflict { status = .conflict }
        }
        if draft.isValid && posted.isPreview { status = .ok }
        var shown = try await page(draft)
        // Shown again after a refusal, the form keeps the version it was opened on: only a save refused as
        // stale carries the current one, so that sending it again replaces the current version knowingly.
        if status != .conflict, let version = posted.version { shown.version = version }
        return try await pages.render(shown, request: request, context: context, status: status)
    }
}
