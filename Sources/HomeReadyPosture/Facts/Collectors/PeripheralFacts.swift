import Foundation

/// Audio, USB and display facts from `/proc/asound`, `/sys/bus/usb/devices` and `/sys/class/drm`.
enum PeripheralFacts {
    struct SoundCard: Equatable {
        var index: Int
        var id: String
        var driver: String
        var name: String
    }

    struct USBDevice: Equatable {
        var path: String
        var vendor: String
        var product: String
        var name: String
        /// The device's `serial` attribute, `nil` when it has none.
        var serial: String? = nil
        var interfaceClasses: Set<String>

        /// `vvvv:pppp` or `vvvv:pppp:SERIAL` (white space inside a serial becomes `_`).
        var identity: String {
            let id = "\(vendor.lowercased()):\(product.lowercased())"
            guard let serial, !serial.isEmpty else { return id }
            return id + ":" + serial.split(whereSeparator: \.isWhitespace).joined(separator: "_")
        }
    }

    static func collect(in tree: FileTree) -> FactSet {
        var facts: FactSet = [:]
        let cards = ((try? tree.read("/proc/asound/cards"))).map(parseCards) ?? []
        let usb = usbDevices(in: tree)
        let usbAudio =
            cards.contains { $0.driver == "USB-Audio" } || usb.contains { $0.interfaceClasses.contains("01") }
        let named = cards.contains {
            ($0.id + " " + $0.name).lowercased().contains("headset")
                || ($0.id + " " + $0.name).lowercased().contains("headphone")
        }
        facts["audio.devices"] = .list(cards.map { "\($0.id): \($0.name)" })
        facts["audio.usb_headset"] = .flag(usbAudio)
        facts["audio.headset"] = .flag(usbAudio || named)
        facts["audio.usb_devices"] = .list(
            usb.filter { $0.interfaceClasses.contains("01") }.map {
                "\($0.identity) \($0.name)".trimmingCharacters(in: .whitespaces)
            })
        facts["usb.devices"] = .list(
            usb.map { "\($0.vendor):\($0.product) \($0.name)".trimmingCharacters(in: .whitespaces) })
        facts["usb.webcam"] = .flag(usb.contains { $0.interfaceClasses.contains("0e") })
        if let screens = connectedScreens(in: tree) { facts["display.screens"] = .number(Double(screens)) }
        return facts
    }

    /// `/proc/asound/cards`: ` 1 [Headset        ]: USB-Audio - Jabra EVOLVE 20 MS` followed by a detail line.
    static func parseCards(_ text: String) -> [SoundCard] {
        text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let open = trimmed.firstIndex(of: "["), let close = trimmed.firstIndex(of: "]"), open < close,
                let index = Int(trimmed[..<open].trimmingCharacters(in: .whitespaces))
            else { return nil }
            let id = trimmed[trimmed.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            let rest = trimmed[trimmed.index(after: close)...].drop { $0 == ":" || $0 == " " }
            let parts = rest.components(separatedBy: " - ")
            return SoundCard(
                index: index, id: id, driver: parts.first?.trimmingCharacters(in: .whitespaces) ?? "",
                name: parts.dropFirst().joined(separator: " - ").trimmingCharacters(in: .whitespaces))
        }
    }

    /// USB devices (not root hubs) with their serial and interface classes.
    static func usbDevices(in tree: FileTree) -> [USBDevice] {
        let base = "/sys/bus/usb/devices"
        let entries = tree.list(base) ?? []
        return entries.compactMap { entry in
            guard !entry.contains(":"), !entry.hasPrefix("usb"), let vendor = tree.value("\(base)/\(entry)/idVendor"),
                let product = tree.value("\(base)/\(entry)/idProduct")
            else { return nil }
            let name = [tree.value("\(base)/\(entry)/manufacturer"), tree.value("\(base)/\(entry)/product")]
                .compactMap { $0 }.joined(separator: " ")
            var classes = Set<String>()
            for interface in entries where interface.hasPrefix(entry + ":") {
                if let value = tree.value("\(base)/\(interface)/bInterfaceClass") { classes.insert(value.lowercased()) }
            }
            return USBDevice(
                path: entry, vendor: vendor, product: product, name: name,
                serial: tree.value("\(base)/\(entry)/serial").flatMap { $0.isEmpty ? nil : $0 },
                interfaceClasses: classes)
        }
    }

    /// Connected DRM connectors, `nil` when the machine exposes none (headless, or not knowable).
    static func connectedScreens(in tree: FileTree) -> Int? {
        let connectors = (tree.list("/sys/class/drm") ?? []).filter { $0.hasPrefix("card") && $0.contains("-") }
        guard !connectors.isEmpty else { return nil }
        return connectors.filter { tree.value("/sys/class/drm/\($0)/status") == "connected" }.count
    }
}
