import Foundation

/// A coded field of a participant (DOMAIN §5): a stored code, a French label, and the spellings people
/// and files commonly use for it (matched without case or accents), so imports map them.
public protocol CodedField: InputEnum {
    var frenchLabel: String { get }
    /// Usual spellings, already folded (lower case, no accents); the code and the label always match too.
    var spellings: [String] { get }
}

extension CodedField {
    /// The code a person's or a file's spelling stands for, or nil.
    /// A spelling with a detail in brackets (`3 (CAP, BEP)`, `Département (Pôle insertion)`) is matched
    /// on either part.
    public static func matching(_ text: String) -> Self? {
        let folded = fold(text)
        guard !folded.isEmpty else { return nil }
        var forms = [folded]
        if let open = folded.firstIndex(of: "("), folded.hasSuffix(")") {
            forms.append(folded[..<open].trimmingCharacters(in: .whitespaces))
            forms.append(String(folded[folded.index(after: open)..<folded.index(before: folded.endIndex)]))
        }
        for form in forms where !form.isEmpty {
            if let value = allCases.first(where: { value in
                form == fold(value.rawValue) || form == fold(value.frenchLabel) || value.spellings.contains(form)
            }) {
                return value
            }
        }
        return nil
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "fr_FR"))
            .replacingOccurrences(of: "’", with: "'")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

/// Where the person lives, for the QPV shares of ANRU operations and the PLIE targets.
public enum PriorityArea: String, CodedField {
    case qpv, tva, none

    public var frenchLabel: String {
        switch self {
        case .qpv: "Quartier prioritaire (QPV)"
        case .tva: "Territoire de veille active (TVA)"
        case .none: "Hors QPV et TVA"
        }
    }

    public var spellings: [String] {
        switch self {
        case .qpv: ["oui", "o", "true", "1", "quartier prioritaire", "quartier politique de la ville"]
        case .tva: ["veille active", "territoire de veille active", "quartier de veille active"]
        case .none: ["non", "n", "false", "0", "aucun", "aucune", "hors qpv", "hors qpv et tva"]
        }
    }
}

/// Who sent the person to the PLIE.
public enum Prescriber: String, CodedField {
    case franceTravail = "france_travail"
    case missionLocale = "mission_locale"
    case capEmploi = "cap_emploi"
    case departement
    case ccas, caf, other

    public var frenchLabel: String {
        switch self {
        case .franceTravail: "France Travail"
        case .missionLocale: "Mission locale"
        case .capEmploi: "Cap emploi"
        case .departement: "Pôle insertion du Département"
        case .ccas: "CCAS"
        case .caf: "CAF"
        case .other: "Autre prescripteur"
        }
    }

    public var spellings: [String] {
        switch self {
        case .franceTravail: ["ft", "pe", "pole emploi", "pole-emploi", "france-travail"]
        case .missionLocale: ["ml", "mission locale", "missions locales"]
        case .capEmploi: ["cap-emploi"]
        case .departement:
            ["departement", "conseil departemental", "pole insertion", "cd", "pole insertion du departement"]
        case .ccas: ["centre communal d'action sociale"]
        case .caf: ["caisse d'allocations familiales"]
        case .other: ["autre"]
        }
    }
}

/// The national qualification nomenclature (levels 3 to 8, "infra 3" for none).
public enum QualificationLevel: String, CodedField {
    case infra3 = "infra_3"
    case level3 = "3"
    case level4 = "4"
    case level5 = "5"
    case level6 = "6"
    case level7 = "7"
    case level8 = "8"

    public var frenchLabel: String {
        switch self {
        case .infra3: "Infra 3 (sans diplôme)"
        case .level3: "Niveau 3 (CAP, BEP)"
        case .level4: "Niveau 4 (baccalauréat)"
        case .level5: "Niveau 5 (bac + 2)"
        case .level6: "Niveau 6 (licence, bac + 3)"
        case .level7: "Niveau 7 (master, bac + 5)"
        case .level8: "Niveau 8 (doctorat)"
        }
    }

    public var spellings: [String] {
        switch self {
        case .infra3:
            ["infra 3", "infra3", "sans diplome", "aucun diplome", "vi", "v bis", "niveau vi", "niveau v bis"]
        case .level3: ["niveau 3", "v", "niveau v", "cap", "bep", "cap/bep"]
        case .level4: ["niveau 4", "iv", "niveau iv", "bac", "baccalaureat", "bac pro"]
        case .level5: ["niveau 5", "iii", "niveau iii", "bac+2", "bac + 2", "bts", "dut"]
        case .level6: ["niveau 6", "ii", "niveau ii", "bac+3", "bac + 3", "licence", "but"]
        case .level7: ["niveau 7", "i", "niveau i", "bac+5", "bac + 5", "master"]
        case .level8: ["niveau 8", "doctorat", "bac+8", "bac + 8"]
        }
    }
}

/// The person's situation on the labour market at entry (the European Social Fund asks for it).
public enum LabourMarketStatus: String, CodedField {
    case jobSeeker = "job_seeker"
    case inactive

    public var frenchLabel: String {
        switch self {
        case .jobSeeker: "Demandeur d'emploi"
        case .inactive: "Inactif"
        }
    }

    public var spellings: [String] {
        switch self {
        case .jobSeeker: ["de", "demandeuse d'emploi", "demandeur d'emploi", "chomeur", "chomeuse"]
        case .inactive: ["inactive"]
        }
    }
}
