import Foundation
import Testing

@testable import HomeReadyModel

@Suite("Equipment lifecycle")
struct InventoryLifecycleTests {
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    @Test("an item goes from requested to verified with an audit action per step")
    func happyPath() throws {
        var item = EquipmentLifecycle()
        try item.apply(.init(.allocate), at: t0)
        let actions = try item.apply(.init(.ship, carrier: "DHL", trackingNumber: "JD0001"), at: t0)
        #expect(actions == [.audit(from: .allocated, to: .shipped)])
        #expect(item.carrier == "DHL" && item.trackingNumber == "JD0001" && item.shippedAt == t0)
        try item.apply(.init(.deliver), at: t0.addingTimeInterval(86_400))
        try item.apply(.init(.accept), at: t0)
        try item.apply(.init(.verify), at: t0)
        #expect(item.state == .verified)
        try item.apply(.init(.return), at: t0)
        #expect(item.state == .returned)
        #expect(item.state.isTerminal)
    }

    @Test("impossible transitions are refused and change nothing")
    func impossible() {
        var item = EquipmentLifecycle()
        #expect(throws: InventoryError.impossibleTransition(from: .requested, event: "deliver")) {
            try item.apply(.init(.deliver), at: t0)
        }
        #expect(item.state == .requested)
        let message = InventoryError.impossibleTransition(from: .requested, event: "deliver").description
        #expect(message.contains("possible now: allocate"))
        var returned = EquipmentLifecycle(state: .returned)
        #expect(throws: InventoryError.self) { try returned.apply(.init(.verify), at: t0) }
    }

    @Test("shipping needs a carrier and a tracking number")
    func shipNeedsTracking() {
        var item = EquipmentLifecycle(state: .allocated)
        #expect(throws: InventoryError.missingField("tracking_number")) {
            try item.apply(.init(.ship, carrier: "UPS"), at: t0)
        }
        #expect(item.state == .allocated)
    }

    @Test("lost and faulty items ask for a replacement and a notification")
    func replacement() throws {
        var item = EquipmentLifecycle(state: .delivered)
        let actions = try item.apply(.init(.reportFaulty, note: "left ear dead"), at: t0)
        #expect(actions == [.audit(from: .delivered, to: .faulty), .notifyFaulty, .requestReplacement])
        var shipped = EquipmentLifecycle(state: .shipped)
        #expect(try shipped.apply(.init(.reportLost), at: t0).contains(.requestReplacement))
    }

    @Test("a shipment is overdue after N days without delivery")
    func overdue() throws {
        var item = EquipmentLifecycle(state: .allocated)
        try item.apply(.init(.ship, carrier: "DHL", trackingNumber: "1"), at: t0)
        #expect(!item.isOverdue(now: t0.addingTimeInterval(2 * 86_400), days: 3))
        #expect(item.isOverdue(now: t0.addingTimeInterval(4 * 86_400), days: 3))
        try item.apply(.init(.deliver), at: t0.addingTimeInterval(5 * 86_400))
        #expect(!item.isOverdue(now: t0.addingTimeInterval(9 * 86_400), days: 3))
    }

    @Test("every state has a documented set of next events")
    func allowedEvents() {
        #expect(EquipmentLifecycle.allowedEvents(from: .requested) == [.allocate])
        #expect(EquipmentLifecycle.allowedEvents(from: .shipped) == [.deliver, .reportLost])
        #expect(EquipmentLifecycle.allowedEvents(from: .lost).isEmpty)
    }
}

@Suite("Readiness")
struct InventoryReadinessTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test("verified kit, fresh passing check: ready with no reasons")
    func ready() {
        let input = ReadinessInput(
            requiredKinds: ["laptop", "usb_headset"], items: [("laptop", .verified), ("usb_headset", .verified)],
            lastReportAt: now.addingTimeInterval(-3600), lastVerdict: .ready, freshnessHours: 72)
        let result = Readiness.evaluate(input, now: now)
        #expect(result.status == .ready)
        #expect(result.reasons.isEmpty)
    }

    @Test("no report is unknown, with equipment reasons still listed")
    func unknown() {
        let input = ReadinessInput(
            requiredKinds: ["laptop"], items: [], lastReportAt: nil, lastVerdict: nil, freshnessHours: 72)
        let result = Readiness.evaluate(input, now: now)
        #expect(result.status == .unknown)
        #expect(result.reasons.map(\.code) == ["report.missing", "equipment.missing.laptop"])
    }

    @Test("a stale or failing check or missing equipment is not ready")
    func notReady() {
        var input = ReadinessInput(
            requiredKinds: ["laptop"], items: [("laptop", .verified)], lastReportAt: now.addingTimeInterval(-80 * 3600),
            lastVerdict: .ready, freshnessHours: 72)
        #expect(Readiness.evaluate(input, now: now).status == .notReady)
        #expect(Readiness.evaluate(input, now: now).reasons.first?.code == "report.stale")
        input.lastReportAt = now
        input.lastVerdict = .notReady
        #expect(Readiness.evaluate(input, now: now).reasons.map(\.code) == ["verdict.not_ready"])
        input.lastVerdict = .ready
        input.items = [("laptop", .shipped)]
        #expect(Readiness.evaluate(input, now: now).status == .notReady)
    }

    @Test("warnings or unverified equipment put an agent at risk")
    func atRisk() {
        let input = ReadinessInput(
            requiredKinds: ["laptop"], items: [("laptop", .accepted)], lastReportAt: now, lastVerdict: .ready,
            freshnessHours: 72)
        #expect(Readiness.evaluate(input, now: now).status == .atRisk)
        #expect(EquipmentReadiness.of(requiredKinds: ["laptop"], items: [("laptop", .accepted)]) == .unverified)
        #expect(EquipmentReadiness.of(requiredKinds: ["laptop", "ups"], items: [("laptop", .verified)]) == .missing)
        #expect(EquipmentReadiness.of(requiredKinds: [], items: []) == .complete)
    }
}
