import Foundation

// XFCE (xfce4-screensaver, light-locker) and xscreensaver (LXQt and others).
extension ScreenLockFacts {
    /// The properties of an xfconf channel (`/lock/enabled` → `true`): from `xfconf-query` in the session, else from
    /// the channel's xml under `~/.config/xfce4/xfconf/xfce-perchannel-xml`; `nil` when neither could be read.
    static func xfconfChannel(
        _ channel: String, _ session: DesktopSession, _ commands: SessionCommands, _ tree: FileTree
    )
        async -> (properties: [String: String], source: String)?
    {
        if let output = await commands.run(["xfconf-query", "-c", channel, "-lv"]) {
            let properties = xfconfListing(output)
            if !properties.isEmpty { return (properties, "xfconf-query -c \(channel)") }
        }
        guard let home = session.home else { return nil }
        let path = "\(home)/.config/xfce4/xfconf/xfce-perchannel-xml/\(channel).xml"
        guard let text = try? tree.read(path) else { return nil }
        return (xfconfXML(text), path)
    }

    /// `xfconf-query -lv` lines: `/lock/enabled    true`.
    static func xfconfListing(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("/") {
            let parts = line.split(maxSplits: 1, whereSeparator: \.isWhitespace)
            result[String(parts[0])] = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        }
        return result
    }

    /// An xfconf channel file: nested `<property name= type= value=>` elements → `/path/of/property` → value.
    static func xfconfXML(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var stack: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("/property") {
                _ = stack.popLast()
                continue
            }
            guard tag.hasPrefix("property") else { continue }
            let attributes = xmlAttributes(tag)
            guard let name = attributes["name"] else { continue }
            if let value = attributes["value"] { result["/" + (stack + [name]).joined(separator: "/")] = value }
            if !tag.hasSuffix("/") { stack.append(name) }
        }
        return result
    }

    /// `name="lock" type="empty"` → attributes, with the five predefined entities decoded.
    static func xmlAttributes(_ tag: Substring) -> [String: String] {
        let pieces = tag.split(separator: "\"", omittingEmptySubsequences: false)
        var result: [String: String] = [:]
        var index = 0
        while index + 1 < pieces.count {
            let key = pieces[index].split(whereSeparator: { $0.isWhitespace || $0 == "=" }).last.map(String.init)
            if let key {
                result[key] = pieces[index + 1]
                    .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
                    .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                    .replacingOccurrences(of: "&amp;", with: "&")
            }
            index += 2
        }
        return result
    }

    /// xfce4-screensaver: locks when the saver starts on idle (`/saver/enabled`, `/saver/idle-activation/enabled`,
    /// `/lock/enabled`, `/lock/saver-activation/enabled`, all default true) after `/saver/idle-activation/delay`
    /// minutes (default 5), plus `/lock/saver-activation/delay` minutes (default 0). Unset properties take the
    /// defaults the running locker applies; a channel that could not be read at all leaves the state unknown.
    static func xfceScreensaverReading(_ session: DesktopSession, _ commands: SessionCommands, _ tree: FileTree) async
        -> Reading
    {
        guard let channel = await xfconfChannel("xfce4-screensaver", session, commands, tree) else {
            return Reading(
                source: "xfce4-screensaver",
                note: "xfce4-screensaver runs but its settings could not be read (xfconf-query, xfce4-screensaver.xml)")
        }
        let properties = channel.properties
        func flag(_ key: String) -> Bool { (properties[key] ?? "true").lowercased() == "true" }
        func minutes(_ key: String, _ fallback: Double) -> Double { properties[key].flatMap(Double.init) ?? fallback }
        let idle = minutes("/saver/idle-activation/delay", 5) * 60
        let locks =
            flag("/saver/enabled") && flag("/saver/idle-activation/enabled") && flag("/lock/enabled")
            && flag("/lock/saver-activation/enabled")
        return Reading(
            enabled: locks && idle > 0, idleSeconds: idle,
            lockDelaySeconds: minutes("/lock/saver-activation/delay", 0) * 60,
            source: "xfce4-screensaver \(channel.source.hasSuffix(".xml") ? "xml \(channel.source)" : channel.source)")
    }

    /// light-locker locks when the X screen saver blanks the screen, which xfce4-power-manager sets
    /// (`/xfce4-power-manager/blank-on-ac`, minutes, 0 = never); unknown when that is not set.
    static func lightLockerReading(_ session: DesktopSession, _ commands: SessionCommands, _ tree: FileTree) async
        -> Reading
    {
        guard let channel = await xfconfChannel("xfce4-power-manager", session, commands, tree),
            let blank = channel.properties["/xfce4-power-manager/blank-on-ac"].flatMap(Double.init)
        else {
            return Reading(
                source: "light-locker",
                note: "light-locker runs but the blanking time (xfce4-power-manager blank-on-ac) is not set")
        }
        return Reading(
            enabled: blank > 0, idleSeconds: blank * 60, lockDelaySeconds: nil,
            source: "light-locker, blanking from xfce4-power-manager \(channel.source)")
    }

    /// xscreensaver's `~/.xscreensaver`: `lock: True`, `timeout: 0:10:00`, `lockTimeout: 0:00:00`, `mode: off`.
    /// Without the file xscreensaver runs on built-in defaults HomeReady does not assume: unknown.
    static func xscreensaverReading(_ session: DesktopSession, _ tree: FileTree) -> Reading {
        guard let home = session.home, let text = try? tree.read("\(home)/.xscreensaver") else {
            return Reading(source: "xscreensaver", note: "xscreensaver runs but ~/.xscreensaver could not be read")
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("!") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            values[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        let source = "xscreensaver \(home)/.xscreensaver"
        guard let lock = values["lock"], let timeout = values["timeout"].flatMap(parseDuration) else {
            return Reading(source: source, note: "lock: or timeout: is missing")
        }
        let on = lock.lowercased() == "true" && values["mode"]?.lowercased() != "off" && timeout > 0
        return Reading(
            enabled: on, idleSeconds: timeout, lockDelaySeconds: values["lockTimeout"].flatMap(parseDuration),
            source: source)
    }

    /// `0:10:00` → 600; a bare number is minutes, as in xscreensaver's resources.
    static func parseDuration(_ text: String) -> Double? {
        let parts = text.split(separator: ":").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, !parts.contains(nil) else { return nil }
        let numbers = parts.compactMap { $0 }
        switch numbers.count {
        case 1: return numbers[0] * 60
        case 2: return numbers[0] * 60 + numbers[1]
        case 3: return numbers[0] * 3600 + numbers[1] * 60 + numbers[2]
        default: return nil
        }
    }
}
