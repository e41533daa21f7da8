import Foundation

extension AppServices {
    /// Signs a person in through the login form, in this order:
    /// 1. the form's one-time token must be valid and unused (403 otherwise: the form expired);
    /// 2. after failed attempts on this account or from this address, a wait runs (429 with its length);
    /// 3. the password is checked on the password threads; a failure is recorded (account, address, time)
    ///    and answered 401 — the same answer, after the same time, whether the account exists or not.
    public func logIn(email: String, password: String, formToken: String, address: String) async throws -> User {
        guard try await users.consumeLoginFormToken(formToken) else {
            throw DomainError(.forbidden, code: .csrf, message: "Le formulaire a expiré : recommencez.")
        }
        let wait = try await loginFailures.wait(email: email, address: address)
        if wait > 0 { throw LoginThrottle.refusal(wait: wait) }
        guard let user = try await users.authenticate(email: email, password: password) else {
            try await loginFailures.record(email: email, address: address)
            throw DomainError(.unauthorized, code: .invalidCredentials, message: "Adresse ou mot de passe incorrect.")
        }
        return user
    }

    /// Changes a signed-in person's own password (« Mon compte ») behind the login form's throttle: a wrong
    /// current password counts as a failed login of the account and the address, so a stolen session
    /// cannot try passwords faster than the login form allows. Other sessions end (`UserStore`).
    public func changePassword(_ user: User, current: String, new: String, keeping cookie: String, address: String)
        async throws
    {
        let wait = try await loginFailures.wait(email: user.email, address: address)
        if wait > 0 { throw LoginThrottle.refusal(wait: wait) }
        do {
            try await users.changePassword(user, current: current, new: new, keeping: cookie)
        } catch let refusal as DomainError where refusal.field == "current" {
            try await loginFailures.record(email: user.email, address: address)
            throw refusal
        }
    }
}
