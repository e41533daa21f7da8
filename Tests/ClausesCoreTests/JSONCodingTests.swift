import Foundation
import Testing

@testable import ClausesCore

@Suite("JSON identifiers are written lower-case, like paths and pages")
struct JSONCodingTests {
    struct Sample: Encodable {
        let id: UUID
        let ids: [UUID]
        let label: String
    }

    @Test func uuidsComeOutLowerCaseAndOtherTextIsUntouched() throws {
        let id = UUID()
        let other = UUID()
        let data = try JSONCoding.encode(Sample(id: id, ids: [other], label: "ABC-DEF « Lot 1 »"))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"\(id.uuidString.lowercased())\""))
        #expect(text.contains("\"\(other.uuidString.lowercased())\""))
        #expect(!text.contains(id.uuidString))
        #expect(text.contains("ABC-DEF « Lot 1 »"))
        // A UUID quoted inside someone's text stays as typed.
        let quoted = "note \"\(id.uuidString)\" fin"
        let inText = String(decoding: try JSONCoding.encode(Sample(id: id, ids: [], label: quoted)), as: UTF8.self)
        #expect(inText.contains(id.uuidString))
        let decoded = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(UUID(uuidString: decoded?["id"] as? String ?? "") == id)
    }

    struct Item: Encodable, Sendable {
        let id: UUID
        let hours: Decimal
        let label: String
    }

    @Test("a large array encoded in parallel chunks gives the same bytes as in one go")
    func parallelArrays() async throws {
        for count in [0, 1, 199, 200, 401, 1000, 1003] {
            let items = (0..<count).map { Item(id: UUID(), hours: Decimal($0) / 4, label: "lot \($0) « é »") }
            #expect(try await JSONCoding.encodeArray(items) == JSONCoding.encode(items), "\(count)")
        }
    }
}
