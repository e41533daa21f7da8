import Foundation

/// A point on the map, in degrees (WGS 84): a commune's centre.
public struct GeoPoint: Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Great-circle distance in kilometres (haversine, mean Earth radius 6,371 km), unrounded: the mobility
    /// filter compares it as it is; only pages round it.
    public func kilometres(to other: GeoPoint) -> Double {
        let radians = Double.pi / 180
        let dLat = (other.latitude - latitude) * radians
        let dLon = (other.longitude - longitude) * radians
        let a =
            sin(dLat / 2) * sin(dLat / 2)
            + cos(latitude * radians) * cos(other.latitude * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * 6371 * asin(min(1, sqrt(a)))
    }
}

/// Positive-action goals a buyer records for its marchés, each with a written basis (Code du travail L1132-1).
public enum DiversityGoal: String, InputEnum {
    case women, seniors

    public var frenchLabel: String {
        switch self {
        case .women: "Femmes"
        case .seniors: "Seniors (50 ans et plus)"
        }
    }
}

/// A staffing need as the rules read it (DOMAIN §7).
public struct NeedFacts: Sendable, Equatable {
    public var romeCodes: [String]
    public var plannedStart: LocalDate
    public var plannedEnd: LocalDate?
    /// Nil: not stated, judged full-time by the overlap rule.
    public var weeklyHours: Decimal?
    public var drivingLicenceRequired: Bool
    public var vehicleRequired: Bool
    /// The work site's commune centre; nil when the lot names none or the commune has no known centre.
    public var worksite: GeoPoint?
    /// The lot belongs to an ANRU operation: QPV residents are its priority public.
    public var anruOperation: Bool
    public var diversityGoals: [DiversityGoal]
    public var diversityBasis: String?

    public init(
        romeCodes: [String], plannedStart: LocalDate, plannedEnd: LocalDate? = nil, weeklyHours: Decimal? = nil,
        drivingLicenceRequired: Bool = false, vehicleRequired: Bool = false, worksite: GeoPoint? = nil,
        anruOperation: Bool = false, diversityGoals: [DiversityGoal] = [], diversityBasis: String? = nil
    ) {
        self.romeCodes = romeCodes
        self.plannedStart = plannedStart
        self.plannedEnd = plannedEnd
        self.weeklyHours = weeklyHours
        self.drivingLicenceRequired = drivingLicenceRequired
        self.vehicleRequired = vehicleRequired
        self.worksite = worksite
        self.anruOperation = anruOperation
        self.diversityGoals = diversityGoals
        self.diversityBasis = diversityBasis
    }
}

/// A placement of the candidate, as the availability and waiting rules read it.
public struct PlacementSpan: Sendable, Equatable {
    public var start: LocalDate
    public var end: LocalDate?
    public var weeklyHours: Decimal

    public init(start: LocalDate, end: LocalDate?, weeklyHours: Decimal) {
        self.start = start
        self.end = end
        self.weeklyHours = weeklyHours
    }

    /// Whether work from `start` to `end` (nil: open) at `weekly` hours (nil: not stated, judged full-time)
    /// collides with this placement: their periods meet, days included, and one of the two is full-time
    /// (`PlacementStore.fullTimeWeeklyHours`); two part-time jobs may overlap.
    public func collides(start: LocalDate, end: LocalDate?, weekly: Decimal?) -> Bool {
        let fullTime = PlacementStore.fullTimeWeeklyHours
        return self.start <= (end ?? .max) && (self.end ?? .max) >= start
            && (weeklyHours >= fullTime || (weekly ?? fullTime) >= fullTime)
    }
}

/// The candidate's open PLIE pathway: when it started, when the profile's length is reached, when the
/// référent validated the professional project.
public struct PathwayProgress: Sendable, Equatable {
    public var entry: LocalDate
    /// Entry + the profile's length + accepted extensions; nil: the profile sets no maximum.
    public var lengthReachedOn: LocalDate?
    public var projectValidatedOn: LocalDate?

    public init(entry: LocalDate, lengthReachedOn: LocalDate? = nil, projectValidatedOn: LocalDate? = nil) {
        self.entry = entry
        self.lengthReachedOn = lengthReachedOn
        self.projectValidatedOn = projectValidatedOn
    }
}

/// Everything the filters and the score may read about a person, and nothing else: no name, nationality,
/// origin, health beyond the declared RQTH criterion, family situation. Sex and birth date are read only
/// for the buyer's recorded diversity goals and the age criteria; the residence area only on ANRU
/// operations. A test pins this list.
public struct CandidateFacts: Sendable, Equatable {
    public var participantId: UUID
    /// The PLIE's reference: the last tie-breaker, so equal scores keep one order.
    public var reference: String
    public var eligibility: EligibilityFacts
    public var sex: String?
    public var home: GeoPoint?
    public var maxTravelKm: Int?
    public var drivingLicence: Bool?
    public var vehicle: Bool?
    public var availableFrom: LocalDate?
    public var skills: [String]
    public var targetJobs: [String]
    public var priorityArea: PriorityArea?
    public var placements: [PlacementSpan]
    public var openPathway: PathwayProgress?
    /// Already proposed for this need and refused by the company.
    public var refusedForNeed: Bool

    public init(
        participantId: UUID, reference: String, eligibility: EligibilityFacts, sex: String? = nil,
        home: GeoPoint? = nil, maxTravelKm: Int? = nil, drivingLicence: Bool? = nil, vehicle: Bool? = nil,
        availableFrom: LocalDate? = nil, skills: [String] = [], targetJobs: [String] = [],
        priorityArea: PriorityArea? = nil, placements: [PlacementSpan] = [], openPathway: PathwayProgress? = nil,
        refusedForNeed: Bool = false
    ) {
        self.participantId = participantId
        self.reference = reference
        self.eligibility = eligibility
        self.sex = sex
        self.home = home
        self.maxTravelKm = maxTravelKm
        self.drivingLicence = drivingLicence
        self.vehicle = vehicle
        self.availableFrom = availableFrom
        self.skills = skills
        self.targetJobs = targetJobs
        self.priorityArea = priorityArea
        self.placements = placements
        self.openPathway = openPathway
        self.refusedForNeed = refusedForNeed
    }
}

/// The score's weights (`[matching]` in config.toml): the most points each part gives.
public struct MatchWeights: Sendable, Equatable {
    public var tradeSameCode: Decimal = 30
    public var tradeSameDomain: Decimal = 20
    public var tradeSameLargeDomain: Decimal = 8
    public var distance: Decimal = 15
    /// From this distance on, no distance points (linear from the work site's commune).
    public var distanceReferenceKm = 30
    public var plieParticipant: Decimal = 20
    public var rsa: Decimal = 10
    public var qpvOnANRU: Decimal = 10
    public var women: Decimal = 5
    public var seniors: Decimal = 5
    public var waiting: Decimal = 10
    /// Waiting this many months or more gives all the waiting points.
    public var waitingFullMonths = 12
    public var pathwayUrgency: Decimal = 10
    /// The urgency points grow over the last months before the pathway's length is reached.
    public var urgencyMonths = 6
    public var projectValidated: Decimal = 5

    public init() {}
}

/// One part of a score: its points (2 decimals) and the facts behind them, in French.
public struct ScorePart: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case trade, distance, plie, rsa, qpv, women, seniors, waiting, urgency, project

        public var frenchLabel: String {
            switch self {
            case .trade: "Métier"
            case .distance: "Distance"
            case .plie: "Participant·e du PLIE"
            case .rsa: "Bénéficiaire du RSA"
            case .qpv: "Habitant·e d'un QPV (ANRU)"
            case .women: "Objectif de mixité : femmes"
            case .seniors: "Objectif : seniors"
            case .waiting: "Attente depuis la dernière mise à l'emploi"
            case .urgency: "Fin de parcours proche"
            case .project: "Projet professionnel validé"
            }
        }
    }

    public var part: Kind
    public var points: Decimal
    public var detail: String

    public init(part: Kind, points: Decimal, detail: String) {
        self.part = part
        self.points = points
        self.detail = detail
    }
}

/// A part as the rules compute it: its explanation is written only when read (a shortlist judges thousands of
/// people and shows twenty).
struct Part: Sendable {
    let part: ScorePart.Kind
    let points: Decimal
    let detail: @Sendable () -> String

    init(part: ScorePart.Kind, points: Decimal, detail: @autoclosure @escaping @Sendable () -> String) {
        self.part = part
        self.points = points
        self.detail = detail
    }
}

/// A candidate kept by every filter, with the score's parts (their points add up to `score`).
public struct ScoredCandidate: Sendable {
    public var participantId: UUID
    public var reference: String
    public var score: Decimal
    let computed: [Part]
    /// Unrounded; nil: unknown (no work site or home centre).
    public var distanceKm: Double?

    /// Every part with its explanation, in French.
    public var parts: [ScorePart] { computed.map { ScorePart(part: $0.part, points: $0.points, detail: $0.detail()) } }

    init(participantId: UUID, reference: String, score: Decimal, computed: [Part] = [], distanceKm: Double?) {
        self.participantId = participantId
        self.reference = reference
        self.score = score
        self.computed = computed
        self.distanceKm = distanceKm
    }
}

/// Why a filter excludes someone (DOMAIN §7).
public struct MatchExclusion: Sendable, Equatable {
    public enum Filter: String, Codable, Sendable, CaseIterable {
        case refused, notEligible, notYetAvailable, overlappingPlacement, noDrivingLicence, noVehicle, outOfRange
    }
    public var filter: Filter
    public var reason: String
}

/// The shortlist's rules (DOMAIN §7): hard filters that say why they exclude someone, then a score made of
/// named parts. Pure: the store gathers the facts.
public enum MatchRules {
    /// Placements of at least this many weekly hours are full-time (`PlacementStore.fullTimeWeeklyHours`).
    static let fullTime = PlacementStore.fullTimeWeeklyHours

    /// The filters a person fails for `need`, judged on `date` (the planned start, or today when it has
    /// passed), in the order DOMAIN §7 lists them; empty: the person is kept.
    public static func exclusions(
        _ person: CandidateFacts, need: NeedFacts, on date: LocalDate, validityMonths: Int
    ) -> [MatchExclusion] {
        var found: [MatchExclusion] = []
        if person.refusedForNeed {
            found.append(.init(filter: .refused, reason: "Déjà proposé·e pour ce besoin et refusé·e par l'entreprise"))
        }
        let verdict = eligibility(of: person.eligibility, at: date, validityMonths: validityMonths)
        if !verdict.eligible {
            let reasons = ineligibilityReasons(of: person.eligibility, at: date, validityMonths: validityMonths)
            found.append(
                .init(
                    filter: .notEligible,
                    reason: "Non éligible le \(date.french)"
                        + (reasons.isEmpty
                            ? " : aucun critère ni parcours enregistré" : " : " + reasons.joined(separator: ", "))))
        }
        if let from = person.availableFrom, from > date {
            found.append(.init(filter: .notYetAvailable, reason: "Disponible à partir du \(from.french) seulement"))
        }
        if let busy = overlapping(person.placements, need: need, from: date) {
            let period = busy.end.map { "du \(busy.start.french) au \($0.french)" } ?? "depuis le \(busy.start.french)"
            let fullTime = busy.weeklyHours >= fullTime
            found.append(
                .init(
                    filter: .overlappingPlacement,
                    reason: fullTime
                        ? "Déjà en mise à l'emploi à temps plein \(period)"
                        : "Déjà en mise à l'emploi à temps partiel \(period), et le besoin est à temps plein"))
        }
        if need.drivingLicenceRequired && person.drivingLicence != true {
            found.append(.init(filter: .noDrivingLicence, reason: "Permis de conduire exigé, non déclaré"))
        }
        if need.vehicleRequired && person.vehicle != true {
            found.append(.init(filter: .noVehicle, reason: "Véhicule exigé, non déclaré"))
        }
        if let km = distance(person, need), let range = person.maxTravelKm, km > Double(range) {
            found.append(
                .init(
                    filter: .outOfRange,
                    reason: "À \(kilometres(km)) du chantier, au-delà de sa mobilité (\(range) km)"))
        }
        return found
    }

    /// The running placement that keeps the person from this need over its period (from `date` to its
    /// planned end): any overlap, unless both the placement and the need are part-time.
    static func overlapping(_ placements: [PlacementSpan], need: NeedFacts, from date: LocalDate) -> PlacementSpan? {
        placements.sorted { $0.start < $1.start }.first {
            $0.collides(start: date, end: need.plannedEnd, weekly: need.weeklyHours)
        }
    }

    static func distance(_ person: CandidateFacts, _ need: NeedFacts) -> Double? {
        guard let home = person.home, let site = need.worksite else { return nil }
        return home.kilometres(to: site)
    }

    /// `12,4 km`.
    public static func kilometres(_ km: Double) -> String {
        French.number(decimal(km, scale: 1), .text) + " km"
    }

    /// A Double (a distance, a ratio) as a Decimal rounded to `scale` decimals.
    static func decimal(_ value: Double, scale: Int) -> Decimal {
        French.round(Decimal(string: String(format: "%.6f", value)) ?? 0, scale: scale)
    }

    /// The score of a person kept by the filters: every part, each rounded to 2 decimals, in a fixed order;
    /// the score is their sum.
    public static func score(
        _ person: CandidateFacts, need: NeedFacts, on date: LocalDate, weights: MatchWeights, validityMonths: Int,
        romeLabels: [String: String] = [:]
    ) -> ScoredCandidate {
        let km = distance(person, need)
        let verdict = eligibility(of: person.eligibility, at: date, validityMonths: validityMonths)
        let parts = [
            trade(person, need: need, weights: weights, labels: romeLabels),
            distancePart(km, weights: weights),
            plie(person, on: date, weights: weights),
            rsa(verdict, weights: weights),
            qpv(person, need: need, weights: weights),
            women(person, need: need, weights: weights),
            seniors(person, need: need, on: date, weights: weights),
            waiting(person, on: date, weights: weights),
            urgency(person, on: date, weights: weights),
            project(person, on: date, weights: weights),
        ].map { Part(part: $0.part, points: French.round($0.points, scale: 2), detail: $0.detail()) }
        return ScoredCandidate(
            participantId: person.participantId, reference: person.reference,
            score: parts.reduce(0) { $0 + $1.points }, computed: parts, distanceKm: km)
    }

    /// Highest score first; then the nearest (unknown distances last); then the reference.
    public static func ranked(_ candidates: [ScoredCandidate]) -> [ScoredCandidate] {
        candidates.sorted(by: precedes)
    }

    /// Whether `a` ranks before `b`.
    static func precedes(_ a: ScoredCandidate, _ b: ScoredCandidate) -> Bool {
        if a.score != b.score { return a.score > b.score }
        if a.distanceKm != b.distanceKm { return (a.distanceKm ?? .infinity) < (b.distanceKm ?? .infinity) }
        return a.reference < b.reference
    }

    // MARK: - The parts

    /// How close a person's trades come to the need's: the best level over every pair, with the pair.
    enum TradeLevel: Int, Comparable {
        case sameLargeDomain = 1
        case sameDomain = 2
        case sameCode = 3
        static func < (a: TradeLevel, b: TradeLevel) -> Bool { a.rawValue < b.rawValue }

        func weight(_ weights: MatchWeights) -> Decimal {
            switch self {
            case .sameCode: weights.tradeSameCode
            case .sameDomain: weights.tradeSameDomain
            case .sameLargeDomain: weights.tradeSameLargeDomain
            }
        }
    }

    static func tradeMatch(_ person: CandidateFacts, need: NeedFacts) -> (
        level: TradeLevel, code: String, kind: String, wanted: String
    )? {
        var best: (level: TradeLevel, code: String, kind: String, wanted: String)?
        for wanted in need.romeCodes {
            for (codes, kind) in [(person.skills, "Compétence"), (person.targetJobs, "Métier visé")] {
                for code in codes {
                    let level: TradeLevel? =
                        code == wanted
                        ? .sameCode
                        : code.prefix(3) == wanted.prefix(3)
                            ? .sameDomain : code.prefix(1) == wanted.prefix(1) ? .sameLargeDomain : nil
                    if let level, level > best?.level ?? .sameLargeDomain || best == nil {
                        best = (level, code, kind, wanted)
                    }
                }
            }
        }
        return best
    }

    static func trade(_ person: CandidateFacts, need: NeedFacts, weights: MatchWeights, labels: [String: String])
        -> Part
    {
        func named(_ code: String) -> String { labels[code].map { "\(code) (\($0))" } ?? code }
        guard let match = tradeMatch(person, need: need) else {
            let detail =
                person.skills.isEmpty && person.targetJobs.isEmpty
                ? "Ni compétence ni métier visé enregistrés"
                : "Aucune compétence ni métier visé proche de \(need.romeCodes.map(named).joined(separator: ", "))"
            return Part(part: .trade, points: 0, detail: detail)
        }
        let detail =
            switch match.level {
            case .sameCode: "\(match.kind) \(named(match.code)) : le code ROME du besoin"
            case .sameDomain:
                "\(match.kind) \(named(match.code)) : même domaine professionnel (\(match.wanted.prefix(3))) que \(named(match.wanted))"
            case .sameLargeDomain:
                "\(match.kind) \(named(match.code)) : même grand domaine (\(match.wanted.prefix(1))) que \(named(match.wanted))"
            }
        return Part(part: .trade, points: match.level.weight(weights), detail: detail)
    }

    /// The share of the distance points: 1 at 0 km, falling linearly to 0 at the reference distance.
    static func distanceShare(_ km: Double, weights: MatchWeights) -> Double {
        max(0, 1 - km / Double(max(weights.distanceReferenceKm, 1)))
    }

    static func distancePart(_ km: Double?, weights: MatchWeights) -> Part {
        guard let km else {
            return Part(part: .distance, points: 0, detail: "Distance inconnue (commune du domicile ou du chantier)")
        }
        return Part(
            part: .distance, points: weights.distance * decimal(distanceShare(km, weights: weights), scale: 4),
            detail:
                "\(kilometres(km)) entre les centres des communes (aucun point à \(weights.distanceReferenceKm) km ou plus)"
        )
    }

    /// The most a person can score, reading only what the light pre-selection reads (trades, home, sex, birth
    /// date, residence area, the open pathway): the parts computable from these, as `score` computes them
    /// (urgency at its weight once within its window), and the RSA and waiting parts at their weights. Never below the exact score (rounding of the distance part covered), so a
    /// shortlist can judge people in this order and stop once nobody left can reach its last place.
    public static func bound(_ person: CandidateFacts, need: NeedFacts, on date: LocalDate, weights: BoundWeights)
        -> Double
    {
        var total = weights.unread + 0.01
        if let match = tradeMatch(person, need: need) { total += weights.trade[match.level.rawValue] }
        if let km = distance(person, need) { total += weights.distance * distanceShare(km, weights: weights.exact) }
        if qpvApplies(person, need: need) { total += weights.qpv }
        if womenApplies(person, need: need) { total += weights.women }
        if seniorApplies(person, need: need, on: date) == true { total += weights.seniors }
        if openPathway(person, on: date) != nil { total += weights.plie }
        if validatedProject(person, on: date) != nil { total += weights.project }
        if let urgency = urgencyWindow(person, on: date, weights: weights.exact), urgency.left < urgency.window {
            total += weights.urgency
        }
        return total
    }

    /// The weights as the bound adds them, converted once.
    public struct BoundWeights: Sendable {
        let exact: MatchWeights
        /// Indexed by `TradeLevel.rawValue` (0: no match).
        let trade: [Double]
        let distance, qpv, women, seniors, plie, project, urgency: Double
        /// The parts the light facts cannot tell, at their weights.
        let unread: Double

        public init(_ weights: MatchWeights) {
            func double(_ value: Decimal) -> Double { NSDecimalNumber(decimal: value).doubleValue }
            exact = weights
            trade = [
                0, double(weights.tradeSameLargeDomain), double(weights.tradeSameDomain), double(weights.tradeSameCode),
            ]
            distance = double(weights.distance)
            qpv = double(weights.qpvOnANRU)
            women = double(weights.women)
            seniors = double(weights.seniors)
            plie = double(weights.plieParticipant)
            project = double(weights.projectValidated)
            urgency = double(weights.pathwayUrgency)
            unread = double(weights.rsa) + double(weights.waiting)
        }
    }

    static func qpvApplies(_ person: CandidateFacts, need: NeedFacts) -> Bool {
        need.anruOperation && person.priorityArea == .qpv
    }

    static func womenApplies(_ person: CandidateFacts, need: NeedFacts) -> Bool {
        need.diversityGoals.contains(.women) && need.diversityBasis != nil && person.sex == "F"
    }

    /// Nil when the goal does not apply or the age is unknown.
    static func seniorApplies(_ person: CandidateFacts, need: NeedFacts, on date: LocalDate) -> Bool? {
        guard need.diversityGoals.contains(.seniors), need.diversityBasis != nil,
            let birth = person.eligibility.birthDate
        else { return nil }
        return date >= birth.adding(months: 12 * CriterionValidity.seniorAge)
    }

    /// The earliest pathway open at `date`.
    static func openPathway(_ person: CandidateFacts, on date: LocalDate) -> PathwaySpan? {
        person.eligibility.pathways.filter { $0.isOpen(at: date) }.min { $0.entry < $1.entry }
    }

    static func plie(_ person: CandidateFacts, on date: LocalDate, weights: MatchWeights) -> Part {
        guard let pathway = openPathway(person, on: date) else {
            return Part(part: .plie, points: 0, detail: "Pas de parcours PLIE ouvert à cette date")
        }
        return Part(
            part: .plie, points: weights.plieParticipant,
            detail: "Parcours PLIE ouvert depuis le \(pathway.entry.french) : public prioritaire du protocole PLIE")
    }

    static func rsa(_ verdict: EligibilityVerdict, weights: MatchWeights) -> Part {
        verdict.criteria.contains(.RSA)
            ? Part(
                part: .rsa, points: weights.rsa,
                detail: "Critère RSA validé et en cours de validité : public prioritaire du protocole PLIE")
            : Part(part: .rsa, points: 0, detail: "Pas de critère RSA valide à cette date")
    }

    static func qpv(_ person: CandidateFacts, need: NeedFacts, weights: MatchWeights) -> Part {
        guard need.anruOperation else {
            return Part(
                part: .qpv, points: 0, detail: "Opération hors ANRU : le quartier de résidence n'est pas lu")
        }
        return qpvApplies(person, need: need)
            ? Part(
                part: .qpv, points: weights.qpvOnANRU,
                detail: "Habite un quartier prioritaire : clause ANRU (heures réservées aux habitants des QPV)")
            : Part(part: .qpv, points: 0, detail: "Résidence en QPV non déclarée (opération ANRU)")
    }

    static func women(_ person: CandidateFacts, need: NeedFacts, weights: MatchWeights) -> Part {
        guard need.diversityGoals.contains(.women), let basis = need.diversityBasis else {
            return Part(part: .women, points: 0, detail: "Pas d'objectif de mixité fixé par le donneur d'ordre")
        }
        return womenApplies(person, need: need)
            ? Part(part: .women, points: weights.women, detail: "Objectif du donneur d'ordre : \(basis)")
            : Part(part: .women, points: 0, detail: "Objectif du donneur d'ordre (femmes) non concerné")
    }

    static func seniors(_ person: CandidateFacts, need: NeedFacts, on date: LocalDate, weights: MatchWeights)
        -> Part
    {
        guard need.diversityGoals.contains(.seniors), let basis = need.diversityBasis else {
            return Part(part: .seniors, points: 0, detail: "Pas d'objectif seniors fixé par le donneur d'ordre")
        }
        guard let senior = seniorApplies(person, need: need, on: date) else {
            return Part(part: .seniors, points: 0, detail: "Âge inconnu (objectif seniors du donneur d'ordre)")
        }
        return senior
            ? Part(
                part: .seniors, points: weights.seniors,
                detail: "\(CriterionValidity.seniorAge) ans ou plus ; objectif du donneur d'ordre : \(basis)")
            : Part(
                part: .seniors, points: 0, detail: "Moins de \(CriterionValidity.seniorAge) ans (objectif seniors)")
    }

    /// Days without a placement before `date`: since the last placement's end, or since the open pathway's
    /// entry when there was none.
    static func waiting(_ person: CandidateFacts, on date: LocalDate, weights: MatchWeights) -> Part {
        let ended = person.placements.compactMap(\.end).filter { $0 < date }
        let running = person.placements.contains { $0.start <= date && ($0.end ?? .max) >= date }
        let since: (day: LocalDate, what: String)?
        if running {
            return Part(part: .waiting, points: 0, detail: "En mise à l'emploi à cette date")
        } else if let last = ended.max() {
            since = (last, "depuis la fin de la dernière mise à l'emploi, le \(last.french)")
        } else if let entry = person.openPathway?.entry {
            since = (entry, "sans mise à l'emploi depuis l'entrée en parcours, le \(entry.french)")
        } else {
            since = nil
        }
        guard let since else {
            return Part(
                part: .waiting, points: 0, detail: "Ni mise à l'emploi ni parcours ouvert : attente inconnue")
        }
        let days = since.day.days(until: date)
        let full = date.adding(months: -weights.waitingFullMonths).days(until: date)
        let share = Decimal(min(days, full)) / Decimal(max(full, 1))
        return Part(
            part: .waiting, points: weights.waiting * share,
            detail:
                "\(days) jour\(days > 1 ? "s" : "") \(since.what) (tous les points à \(weights.waitingFullMonths) mois)"
        )
    }

    /// When the pathway's length is reached, the days left until then and the days of the urgency window;
    /// nil without a maximum length.
    static func urgencyWindow(_ person: CandidateFacts, on date: LocalDate, weights: MatchWeights) -> (
        end: LocalDate, left: Int, window: Int
    )? {
        guard let end = person.openPathway?.lengthReachedOn else { return nil }
        return (end, date.days(until: end), date.days(until: date.adding(months: weights.urgencyMonths)))
    }

    static func urgency(_ person: CandidateFacts, on date: LocalDate, weights: MatchWeights) -> Part {
        guard let (end, left, window) = urgencyWindow(person, on: date, weights: weights) else {
            return Part(part: .urgency, points: 0, detail: "Pas de durée maximale de parcours")
        }
        if left <= 0 {
            return Part(
                part: .urgency, points: weights.pathwayUrgency,
                detail: "Durée du parcours atteinte le \(end.french)")
        }
        guard left < window else {
            return Part(
                part: .urgency, points: 0,
                detail: "Durée du parcours atteinte le \(end.french), dans plus de \(weights.urgencyMonths) mois")
        }
        return Part(
            part: .urgency, points: weights.pathwayUrgency * (1 - Decimal(left) / Decimal(window)),
            detail:
                "Durée du parcours atteinte le \(end.french), dans \(left) jours (points sur les \(weights.urgencyMonths) derniers mois)"
        )
    }

    static func validatedProject(_ person: CandidateFacts, on date: LocalDate) -> LocalDate? {
        person.openPathway?.projectValidatedOn.flatMap { $0 <= date ? $0 : nil }
    }

    static func project(_ person: CandidateFacts, on date: LocalDate, weights: MatchWeights) -> Part {
        guard let validated = validatedProject(person, on: date) else {
            return Part(part: .project, points: 0, detail: "Projet professionnel non validé par le référent")
        }
        return Part(
            part: .project, points: weights.projectValidated,
            detail: "Projet professionnel validé par le référent le \(validated.french)")
    }
}
