import Foundation

/// The words of escalation messages in Spanish and English (the agent's in-app message, the digest to a supervisor,
/// coordinator or director, the pages the links open).
enum EscalationTexts {
    /// `es` when asked for, else English.
    static func language(_ code: String?) -> String { code == "es" ? "es" : "en" }

    static func eventName(_ event: EscalationEvent, _ language: String) -> String {
        switch (event, language) {
        case (.agentRegressed, "es"): "dejó de estar listo"
        case (.agentRegressed, _): "is no longer ready"
        case (.checkStale, "es"): "sin una revisión completa reciente"
        case (.checkStale, _): "has no recent full check"
        case (.shipmentOverdue, "es"): "envío de equipo atrasado"
        case (.shipmentOverdue, _): "equipment shipment overdue"
        case (.drillUnanswered, "es"): "no respondió al simulacro"
        case (.drillUnanswered, _): "did not answer the drill"
        }
    }

    static func severityName(_ severity: EscalationSeverity, _ language: String) -> String {
        guard language == "es" else { return severity.rawValue }
        switch severity {
        case .low: return "baja"
        case .medium: return "media"
        case .high: return "alta"
        case .critical: return "crítica"
        }
    }

    /// The message the agent sees at their next check or `watch` run, in both languages.
    static func agentMessage(event: EscalationEvent, detail: String) -> [String: String] {
        let es: String
        let en: String
        switch event {
        case .agentRegressed:
            es = "Tu última revisión encontró un problema: ya no estás listo para atender llamadas desde casa. "
                + "Revisa los hallazgos y corrígelos; al quedar listo de nuevo, el aviso se cierra solo."
            en = "Your last check found a problem: you are no longer ready to take calls from home. "
                + "Review the findings and fix them; once you are ready again this notice closes by itself."
        case .checkStale:
            es = "Tu última revisión completa es antigua y se acerca el cambio a casa. Ejecuta `homeready check` hoy."
            en = "Your last full check is old and the move home is close. Run `homeready check` today."
        case .shipmentOverdue:
            es = "Tu equipo fue enviado hace varios días y no consta como entregado. Avisa a TI si no lo recibiste."
            en = "Your equipment was shipped days ago and is not marked delivered. Tell IT if you did not get it."
        case .drillUnanswered:
            es = "No respondiste al simulacro de continuidad. Ejecuta `homeready check` ahora."
            en = "You did not answer the continuity drill. Run `homeready check` now."
        }
        return ["es": es, "en": en]
    }

    /// Subject and body of one message to a supervisor, coordinator or director about one or several escalations
    /// (a digest when several fell in one group interval).
    static func digest(
        _ steps: [DueEscalationStep], recipient: Recipient, language: String
    ) -> (subject: String, body: String) {
        let es = language == "es"
        let subject: String
        if steps.count == 1, let step = steps.first {
            subject = es
                ? "[HomeReady] Escalamiento (\(severityName(step.severity, "es"))): \(step.agentName) \(eventName(step.event, "es"))"
                : "[HomeReady] Escalation (\(step.severity.rawValue)): \(step.agentName) \(eventName(step.event, "en"))"
        } else {
            subject = es
                ? "[HomeReady] \(steps.count) escalamientos para ti" : "[HomeReady] \(steps.count) escalations for you"
        }
        var paragraphs: [String] = [
            es ? "Hola \(recipient.name):" : "Hello \(recipient.name),",
            es
                ? "Lo siguiente se avisó primero al agente y sigue sin resolverse:"
                : "The following was told to the agent first and is still unresolved:",
        ]
        let format = ISO8601DateFormatter()
        for step in steps {
            paragraphs.append(
                es
                    ? "• \(step.agentName) (\(step.employeeId)): \(eventName(step.event, "es")), severidad "
                        + "\(severityName(step.severity, "es")), desde \(format.string(from: step.raisedAt)). \(step.detail)"
                    : "• \(step.agentName) (\(step.employeeId)): \(eventName(step.event, "en")), severity "
                        + "\(step.severity.rawValue), since \(format.string(from: step.raisedAt)). \(step.detail)")
        }
        paragraphs.append(
            es
                ? "Usa los enlaces para confirmar que lo atiendes (se detiene el escalamiento) o marcarlo resuelto."
                : "Use the links to acknowledge (stops further escalation) or resolve.")
        return (subject, paragraphs.joined(separator: "\n\n"))
    }

    static func linkLabel(_ action: EscalationLinks.Action, agent: String, language: String) -> String {
        switch (action, language) {
        case (.ack, "es"): "Confirmar: \(agent)"
        case (.ack, _): "Acknowledge: \(agent)"
        case (.resolve, "es"): "Resolver: \(agent)"
        case (.resolve, _): "Resolve: \(agent)"
        }
    }

    /// The page a link opens.
    static func page(title: String, text: String, language: String) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        return """
            <!doctype html>
            <html lang="\(language == "es" ? "es-MX" : "en")"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>\(escape(title))</title></head>
            <body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
            <h1>\(escape(title))</h1><p>\(escape(text))</p></body></html>
            """
    }
}
