import Foundation

/// How the contractor executes its clause (DOMAIN §4). Raw values are stored in the database.
public enum ExecutionMode: String, InputEnum, CodingKeyRepresentable {
    case directHire
    case workStudy
    case temporaryWork
    case insertionTempWork
    case associationSecondment
    case geiq
    case siaeSubcontracting
    case siaeServicePurchase
    case training

    public var frenchLabel: String {
        switch self {
        case .directHire: "Embauche directe"
        case .workStudy: "Alternance"
        case .temporaryWork: "Intérim (ETT)"
        case .insertionTempWork: "Mise à disposition par une ETTI"
        case .associationSecondment: "Mise à disposition par une AI"
        case .geiq: "Mise à disposition par un GEIQ"
        case .siaeSubcontracting: "Sous-traitance ou co-traitance à une SIAE"
        case .siaeServicePurchase: "Achat de prestation à une SIAE"
        case .training: "Formation préalable"
        }
    }

    /// Modes whose hours may be attested by an SIAE or converted from the amount paid to it.
    public var isSIAEPurchase: Bool { self == .siaeSubcontracting || self == .siaeServicePurchase }
}

/// The employment contract of a placement.
public enum EmploymentContractType: String, InputEnum, CodingKeyRepresentable {
    case cdi
    case cdd
    case cddChantier
    case cddi
    case temporaryWork
    case ettiAssignment
    case apprenticeship
    case professionalisation
    case subsidised
    case training

    public var frenchLabel: String {
        switch self {
        case .cdi: "CDI"
        case .cdd: "CDD"
        // The field's « CDD de chantier » is in law a CDI de chantier ou d'opération (Code du travail
        // L1223-8); it counts like a CDD of its planned duration (DOMAIN §6).
        case .cddChantier: "CDI de chantier ou d'opération"
        case .cddi: "CDDI"
        case .temporaryWork: "Intérim"
        case .ettiAssignment: "Mission ETTI"
        case .apprenticeship: "Apprentissage"
        case .professionalisation: "Contrat de professionnalisation"
        case .subsidised: "Contrat aidé"
        case .training: "Formation"
        }
    }

    /// CDD or CDD de chantier: fixed-term contracts that qualify (hire bonus, positive outcome) from 6 months.
    public var isFixedTerm: Bool { self == .cdd || self == .cddChantier }
}

/// Public eligibility criteria (DOMAIN §5). Raw values are the codes used in files and the database.
public enum EligibilityCriterionCode: String, InputEnum, CodingKeyRepresentable {
    case DELD
    case DETLD
    case RSA
    case ASS
    case AAH
    case AI
    case INVALIDITY
    case RQTH
    case YOUTH
    case SENIOR
    case SIAE
    case E2C_EPIDE
    case PLIE
    case REASONED_OPINION

    public var frenchLabel: String {
        switch self {
        case .DELD: "Demandeur d'emploi de longue durée (12 mois ou plus)"
        case .DETLD: "Demandeur d'emploi de très longue durée (24 mois ou plus)"
        case .RSA: "Bénéficiaire du RSA"
        case .ASS: "Bénéficiaire de l'allocation de solidarité spécifique (ASS)"
        case .AAH: "Bénéficiaire de l'allocation aux adultes handicapés (AAH)"
        case .AI: "Bénéficiaire de l'allocation d'insertion (AI)"
        case .INVALIDITY: "Bénéficiaire d'une pension d'invalidité"
        case .RQTH: "Travailleur handicapé reconnu (RQTH)"
        case .YOUTH: "Jeune de moins de 26 ans sorti du système scolaire depuis au moins 6 mois"
        case .SENIOR: "Demandeur d'emploi de 50 ans ou plus"
        case .SIAE: "Salarié d'une SIAE ou titulaire d'un PASS IAE"
        case .E2C_EPIDE: "Stagiaire d'une École de la 2e chance ou de l'EPIDE"
        case .PLIE: "Participant d'un parcours PLIE"
        case .REASONED_OPINION: "Personne admise sur avis motivé (France Travail, Mission locale, MDPH)"
        }
    }
}

/// Where a lot stands against its clause (DOMAIN §4, §8). Raw values are snake_case for the database and JSON.
public enum LotStatus: String, InputEnum, CodingKeyRepresentable {
    case onTrack = "on_track"
    case behind = "behind"
    case done = "done"
    case nonCompliant = "non_compliant"
    case notStarted = "not_started"

    public var frenchLabel: String {
        switch self {
        case .onTrack: "Dans les temps"
        case .behind: "En retard"
        case .done: "Atteint"
        case .nonCompliant: "Non conforme"
        case .notStarted: "Non commencé"
        }
    }
}
