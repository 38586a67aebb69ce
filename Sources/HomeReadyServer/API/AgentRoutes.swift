import Foundation
import HomeReadyJudging
import HomeReadyModel
import Hummingbird

/// The roster, equipment and its lifecycle, kits.
struct AgentRoutes {
    let repository: any InventoryRepository
    let configuration: ServerConfiguration

    struct BulkKit: Decodable { var agentIds: [String] }

    func add(to router: RouterGroup<ServerRequestContext>) {
        let limit = configuration.maxJSONBytes
        router.post("agents") { request, context in
            _ = try context.require(.admin)
            let body = try await request.decodeJSON(NewAgent.self, limit: limit)
            try requireText(body.employeeId, "employee_id")
            try requireText(body.name, "name")
            try requireLanguage(body.language)
            return EditedResponse(status: .created, response: try await repository.createAgent(body))
        }
        router.get("agents") { request, context in
            _ = try context.require(.admin, .planner)
            let (after, n) = try request.pagination
            return makePage(try await repository.agents(after: after, limit: n), limit: n, id: \.id)
        }
        router.get("agents/:id") { request, context in
            let id = try context.parameters.require("id")
            try authorizeAgent(id, context)
            guard let agent = try await repository.agent(id: id) else { throw Problem.notFound("agent", id) }
            return agent
        }
        router.post("agents/:id/kit") { request, context in
            let principal = try context.require(.admin)
            let id = try context.parameters.require("id")
            guard try await repository.agent(id: id) != nil else { throw Problem.notFound("agent", id) }
            let items = try await repository.issueKits(agentIds: [id], actor: principal.actor, at: Date())
            return EditedResponse(status: .created, response: ListResponse(items: items))
        }
        router.post("kits/bulk") { request, context in
            let principal = try context.require(.admin)
            let body = try await request.decodeJSON(BulkKit.self, limit: configuration.maxCSVBytes)
            guard !body.agentIds.isEmpty else { throw Problem.invalid("agent_ids", "`agent_ids` must list at least one agent") }
            let items = try await repository.issueKits(agentIds: body.agentIds, actor: principal.actor, at: Date())
            return EditedResponse(status: .created, response: ListResponse(items: items))
        }
        router.post("equipment") { request, context in
            let principal = try context.require(.admin)
            let body = try await request.decodeJSON(NewItem.self, limit: limit)
            try requireText(body.kind, "kind")
            try requireUSBIdentity(body.usbIdentity)
            return EditedResponse(status: .created, response: try await repository.createItem(body, actor: principal.actor))
        }
        router.get("equipment") { request, context in
            _ = try context.require(.admin, .planner)
            let (after, n) = try request.pagination
            let agentId = request.uri.queryParameters.get("agent_id")
            return makePage(try await repository.items(agentId: agentId, after: after, limit: n), limit: n, id: \.id)
        }
        router.get("equipment/overdue") { request, context in
            _ = try context.require(.admin, .planner)
            let days = request.uri.queryParameters.get("days", as: Int.self) ?? configuration.overdueDays
            // Bounded: a huge `days` made a date whose milliseconds overflow Int64 (a crash found by schemathesis).
            guard (0...36_500).contains(days) else { throw Problem.invalid("days", "`days` must be 0…36500") }
            let (after, n) = try request.pagination
            let items = try await repository.overdueItems(
                shippedBefore: Date().addingTimeInterval(-Double(days) * 86_400), after: after, limit: n)
            return makePage(items, limit: n, id: \.id)
        }
        router.get("equipment/:id") { request, context in
            _ = try context.require(.admin, .planner)
            let id = try context.parameters.require("id")
            guard let item = try await repository.item(id: id) else { throw Problem.notFound("equipment item", id) }
            return item
        }
        router.post("equipment/:id/events") { request, context in
            let principal = try context.require(.admin, .device)
            let id = try context.parameters.require("id")
            let event = try await request.decodeJSON(EquipmentEvent.self, limit: limit, decoder: ReportCoding.decoder())
            try requireUSBIdentity(event.usbIdentity)
            if principal.role == .device {
                // A device may only confirm receipt of its own agent's items, and never names the device itself:
                // the identity its check must see is IT's record.
                guard event.kind == .accept, event.usbIdentity == nil, let item = try await repository.item(id: id),
                    item.agentId == principal.agentId
                else { throw Problem.forbidden(.device) }
            }
            return try await repository.applyEvent(itemId: id, event: event, actor: principal.actor, at: Date())
        }
        router.get("equipment/:id/audit") { request, context in
            _ = try context.require(.admin, .planner)
            let id = try context.parameters.require("id")
            guard try await repository.item(id: id) != nil else { throw Problem.notFound("equipment item", id) }
            return ListResponse(items: try await repository.audit(itemId: id))
        }
    }
}

/// Refuses an agent language other than `es` or `en`.
func requireLanguage(_ language: String?) throws {
    guard let language, !RosterImport.languages.contains(language) else { return }
    throw Problem.invalid("language", "`language` must be \"es\" or \"en\" (the language the agent reads), got \"\(language)\"")
}

/// Refuses a USB identity not written `VVVV:PPPP` or `VVVV:PPPP:SERIAL` (four hex digits each).
func requireUSBIdentity(_ identity: String?) throws {
    guard let identity, !ShippedEquipment.isValid(identity) else { return }
    throw Problem.invalid(
        "usb_identity",
        "`usb_identity` must be VENDOR:PRODUCT or VENDOR:PRODUCT:SERIAL with four hex digits each (as `lsusb` shows them, e.g. 0b0e:245d), got \"\(identity)\"")
}

/// Admins and planners see every agent; a device only its own.
func authorizeAgent(_ agentId: String, _ context: ServerRequestContext) throws {
    let principal = try context.require(.admin, .planner, .device)
    if principal.role == .device, principal.agentId != agentId { throw Problem.forbidden(.device) }
}
