/// What a new password must be: long enough and not trivially guessable. Checked when an account is
/// created (API, command line); existing passwords keep working.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let minimumDistinctCharacters = 5

    /// The password itself, or a French refusal naming `field`.
    public static func check(_ password: String?, field: String = "password") throws(DomainError) -> String {
        guard let password, !password.isEmpty else {
            throw DomainError.invalid(field, "Le mot de passe est obligatoire.", code: .missingField)
        }
        try TextInput.check(password, field: field, multiLine: false)
        guard password.count >= minimumLength else {
            throw DomainError.invalid(
                field, "Le mot de passe doit compter au moins \(minimumLength) caractères.", code: .weakPassword)
        }
        guard Set(password).count >= minimumDistinctCharacters else {
            throw DomainError.invalid(
                field, "Le mot de passe doit comporter au moins \(minimumDistinctCharacters) caractères différents.",
                code: .weakPassword)
        }
        guard !password.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DomainError.invalid(
                field, "Le mot de passe ne peut pas être composé uniquement de chiffres.", code: .weakPassword)
        }
        guard !password.allSatisfy(\.isWhitespace) else {
            throw DomainError.invalid(
                field, "Le mot de passe ne peut pas être composé uniquement d'espaces.", code: .weakPassword)
        }
        return password
    }
}
