import Foundation

/// French public holidays (jours fériés, Code du travail L3133-1): the eight fixed dates and the three
/// that follow Easter. The Alsace-Moselle extra days are not national and are left out.
public enum FrenchHolidays {
    /// The holiday on `date`, in French, or nil on an ordinary day.
    public static func name(of date: LocalDate) -> String? {
        switch (date.month, date.day) {
        case (1, 1): return "jour de l'an"
        case (5, 1): return "fête du Travail"
        case (5, 8): return "Victoire 1945"
        case (7, 14): return "fête nationale"
        case (8, 15): return "Assomption"
        case (11, 1): return "Toussaint"
        case (11, 11): return "armistice 1918"
        case (12, 25): return "Noël"
        default: break
        }
        let easter = easterSunday(year: date.year)
        switch easter.days(until: date) {
        case 1: return "lundi de Pâques"
        case 39: return "Ascension"
        case 50: return "lundi de Pentecôte"
        default: return nil
        }
    }

    /// Easter Sunday of the Gregorian calendar (the anonymous algorithm of Meeus, Jones and Butcher).
    public static func easterSunday(year: Int) -> LocalDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(year: year, month: month, day: day) ?? .firstDay(ofYear: year)
    }
}
