import Foundation
import HomeReadyModel
import HomeReadyTestSupport
import Testing

@testable import HomeReadyPosture

/// A prepared system with users, processes, logind sessions and scripted settings tools: `runuser` drops to the
/// user, `dconf read` answers the files under `dconf/`, `gsettings get` answers the schema defaults (as it does
/// without a session), and every call is logged with the bus it was given.
private final class SessionTree {
    let dir: TemporaryDirectory
    var root: String { dir.url.path }

    init(dconf: Bool = true) throws {
        dir = try TemporaryDirectory()
        try dir.write(
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\ngdm:x:120:120::/var/lib/gdm3:/bin/false\n"
                + "alice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\n")
        try process(1, "systemd", uid: 0)
        try script("runuser", "echo \"runuser $2\" >> \(root)/log\nshift 3\nexec \"$@\"")
        if dconf {
            try script(
                "dconf",
                "echo \"dconf $2 bus=$DBUS_SESSION_BUS_ADDRESS home=$HOME\" >> \(root)/log\n"
                    + "[ -f \"\(root)/dconf$2\" ] && cat \"\(root)/dconf$2\"\nexit 0")
        }
        try script(
            "gsettings",
            """
            echo "gsettings $2 $3" >> \(root)/log
            case "$2 $3" in
              *screensaver\\ lock-enabled|*idle-activation-enabled) echo true ;;
              org.mate.session\\ idle-delay) echo 5 ;;
              *session\\ idle-delay) echo "uint32 300" ;;
              org.mate.screensaver\\ lock-delay) echo 0 ;;
              *lock-delay) echo "uint32 0" ;;
              *) echo "No such schema"; exit 1 ;;
            esac
            """)
    }

    deinit { dir.remove() }

    func script(_ name: String, _ body: String) throws {
        try chmod(try dir.write("bin/\(name)", "#!/bin/sh\n\(body)\n"), 0o755)
    }

    func process(_ pid: Int, _ name: String, uid: Int, environment: [String: String] = [:]) throws {
        try dir.write("proc/\(pid)/comm", String(name.prefix(15)) + "\n")
        try dir.write("proc/\(pid)/cmdline", "/usr/bin/\(name)\0")
        try dir.write("proc/\(pid)/status", "Name:\t\(name.prefix(15))\nUid:\t\(uid)\t\(uid)\t\(uid)\t\(uid)\n")
        try dir.write("proc/\(pid)/environ", environment.map { "\($0.key)=\($0.value)\0" }.sorted().joined())
    }

    func logind(_ id: String, uid: Int, user: String, type: String = "wayland", desktop: String?, leader: Int) throws {
        try dir.write(
            "run/systemd/sessions/\(id)",
            "UID=\(uid)\nUSER=\(user)\nACTIVE=1\nSTATE=active\nTYPE=\(type)\nCLASS=user\nLEADER=\(leader)\n"
                + (desktop.map { "DESKTOP=\($0)\n" } ?? ""))
    }

    func set(_ path: String, _ value: String) throws { try dir.write("dconf\(path)", value + "\n") }

    var log: String { (try? String(contentsOf: dir.url.appendingPathComponent("log"), encoding: .utf8)) ?? "" }

    func collect(effectiveUID: Int = 0, environment: [String: String] = ["USER": "root", "SUDO_USER": "alice"])
        async -> FactSet
    {
        await ScreenLockFacts.collect(
            runner: CommandRunner(searchPath: [dir.url.appendingPathComponent("bin").path, "/usr/bin", "/bin"]),
            environment: environment, tree: FileTree(root: dir.url), effectiveUID: effectiveUID)
    }
}

private func gnomeSession(_ tree: SessionTree) throws {
    try tree.process(2000, "gdm-wayland-session", uid: 1000)
    try tree.process(
        2001, "gnome-shell", uid: 1000,
        environment: [
            "XDG_CURRENT_DESKTOP": "ubuntu:GNOME", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus",
        ])
    try tree.logind("3", uid: 1000, user: "alice", desktop: "ubuntu", leader: 2000)
}

/// How the profile rule `screen_lock.enabled equals true` judges these facts.
private func lockRule(_ facts: FactSet) async -> RuleOutcome {
    await evaluate(rule(.fact, "screen_lock.enabled", .equals, "true"), snapshot: PostureSnapshot(facts: facts))
}

@Suite("screen-lock facts")
struct ScreenLockFactsTests {
    @Test func noSessionIsUnknownEvenWhenGsettingsAnswersDefaults() async throws {
        let tree = try SessionTree()
        // A login over ssh is no desktop session, whatever its environment says.
        try tree.process(
            3000, "bash", uid: 1000,
            environment: ["DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus", "XDG_CURRENT_DESKTOP": "GNOME"])
        try tree.logind("5", uid: 1000, user: "alice", type: "tty", desktop: nil, leader: 3000)
        let facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == nil)
        #expect(facts["screen_lock.session"] == .text("none"))
        #expect(facts["screen_lock.state"] == .text("unknown"))
        #expect(facts["screen_lock.source"] == .text("no desktop session"))
        #expect(!tree.log.contains("gsettings"))
        let outcome = await lockRule(facts)
        #expect(outcome.status == "error")
        #expect("\(outcome)".contains("unknown: no desktop session runs"))
    }

    @Test func greeterSessionsAreNotDesktopSessions() async throws {
        let tree = try SessionTree()
        try tree.process(700, "gnome-shell", uid: 120)
        try tree.dir.write(
            "run/systemd/sessions/c1", "UID=120\nUSER=gdm\nACTIVE=1\nTYPE=wayland\nCLASS=greeter\nLEADER=700\n")
        #expect(await tree.collect()["screen_lock.session"] == .text("none"))
    }

    @Test func gnomeSessionWithTheLockTurnedOff() async throws {
        let tree = try SessionTree()
        try gnomeSession(tree)
        try tree.set("/org/gnome/desktop/screensaver/lock-enabled", "false")
        let facts = await tree.collect()
        #expect(facts["screen_lock.session"] == .text("GNOME"))
        #expect(facts["screen_lock.user"] == .text("alice"))
        #expect(facts["screen_lock.enabled"] == .flag(false))
        #expect(facts["screen_lock.state"] == .text("disabled"))
        #expect(facts["screen_lock.idle_delay_seconds"] == .number(300))
        #expect(
            facts["screen_lock.source"]
                == .text("GNOME dconf values (lock-enabled) and session defaults (idle-delay, lock-delay)"))
        #expect(tree.log.contains("runuser alice"))
        #expect(tree.log.contains("bus=unix:path=/run/user/1000/bus home=/home/alice"))
        #expect(await lockRule(facts).status == "fail")
    }

    @Test func gnomeSessionWithTheLockOn() async throws {
        let tree = try SessionTree()
        try gnomeSession(tree)
        try tree.set("/org/gnome/desktop/screensaver/lock-enabled", "true")
        try tree.set("/org/gnome/desktop/session/idle-delay", "uint32 600")
        try tree.set("/org/gnome/desktop/screensaver/lock-delay", "uint32 30")
        let facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == .flag(true))
        #expect(facts["screen_lock.idle_delay_seconds"] == .number(600))
        #expect(facts["screen_lock.lock_delay_seconds"] == .number(30))
        #expect(facts["screen_lock.source"] == .text("GNOME dconf values"))
        #expect(!tree.log.contains("gsettings"))
        let outcome = await lockRule(facts)
        #expect(outcome.status == "pass")
        #expect("\(outcome)".contains("GNOME session of alice (logind session 3)"))
    }

    @Test func idleDelayZeroNeverLocks() async throws {
        let tree = try SessionTree()
        try gnomeSession(tree)
        try tree.set("/org/gnome/desktop/session/idle-delay", "uint32 0")
        #expect(await tree.collect()["screen_lock.enabled"] == .flag(false))
    }

    @Test func schemaDefaultsCountOnlyInsideARunningSessionBackedByDconf() async throws {
        // No dconf value set: the running session applies the schema default, which gsettings tells.
        let tree = try SessionTree()
        try gnomeSession(tree)
        let facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == .flag(true))
        #expect(
            facts["screen_lock.source"] == .text("GNOME defaults applied by the running session (no dconf value set)"))
        // Without dconf, gsettings answers built-in defaults from memory: they are never taken as the setting.
        let bare = try SessionTree(dconf: false)
        try gnomeSession(bare)
        let unknown = await bare.collect()
        #expect(unknown["screen_lock.enabled"] == nil)
        #expect(unknown["screen_lock.state"] == .text("unknown"))
        #expect(unknown["screen_lock.evidence"]?.description.contains("dconf could not be read") == true)
        #expect(await lockRule(unknown).status == "error")
    }

    @Test func readsAsTheSessionUserWithoutRunuserOrNotAtAll() async throws {
        let tree = try SessionTree()
        try gnomeSession(tree)
        try tree.set("/org/gnome/desktop/screensaver/lock-enabled", "true")
        let own = await tree.collect(effectiveUID: 1000, environment: ["USER": "alice"])
        #expect(own["screen_lock.enabled"] == .flag(true))
        #expect(!tree.log.contains("runuser"))
        let other = await tree.collect(effectiveUID: 1001, environment: ["USER": "bob"])
        #expect(other["screen_lock.enabled"] == nil)
        #expect(other["screen_lock.evidence"]?.description.contains("cannot read the settings of alice") == true)
    }

    @Test func theSudoCallersSessionIsPreferred() async throws {
        let tree = try SessionTree()
        try gnomeSession(tree)
        try tree.process(2100, "xfce4-session", uid: 1001, environment: ["XDG_CURRENT_DESKTOP": "XFCE"])
        let bob = await tree.collect(environment: ["USER": "root", "SUDO_USER": "bob"])
        #expect(bob["screen_lock.user"] == .text("bob"))
        #expect(bob["screen_lock.session"] == .text("XFCE"))
        let service = await tree.collect(environment: ["USER": "root"])
        #expect(service["screen_lock.user"] == .text("alice"))  // logind's active session
    }

    @Test func xfceScreensaverFromItsXml() async throws {
        let tree = try SessionTree()
        try tree.process(2200, "xfce4-session", uid: 1000, environment: ["XDG_CURRENT_DESKTOP": "XFCE"])
        try tree.process(2201, "xfce4-screensaver", uid: 1000)
        let xml = "home/alice/.config/xfce4/xfconf/xfce-perchannel-xml/xfce4-screensaver.xml"
        try tree.dir.write(
            xml,
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <channel name="xfce4-screensaver" version="1.0">
              <property name="lock" type="empty">
                <property name="enabled" type="bool" value="true"/>
                <property name="saver-activation" type="empty">
                  <property name="delay" type="int" value="1"/>
                </property>
              </property>
              <property name="saver" type="empty">
                <property name="idle-activation" type="empty">
                  <property name="delay" type="int" value="10"/>
                </property>
              </property>
            </channel>
            """)
        var facts = await tree.collect()
        #expect(facts["screen_lock.session"] == .text("XFCE"))
        #expect(facts["screen_lock.enabled"] == .flag(true))
        #expect(facts["screen_lock.idle_delay_seconds"] == .number(600))
        #expect(facts["screen_lock.lock_delay_seconds"] == .number(60))
        #expect(
            facts["screen_lock.source"]
                == .text("xfce4-screensaver xml /home/alice/\(xml.dropFirst("home/alice/".count))"))

        try tree.dir.write(
            xml,
            #"<channel><property name="lock" type="empty"><property name="enabled" type="bool" value="false"/></property></channel>"#
        )
        facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == .flag(false))

        // While the session runs, xfconf-query is asked first.
        try tree.script(
            "xfconf-query", "printf '/lock/enabled                 true\\n/saver/idle-activation/delay  3\\n'")
        facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == .flag(true))
        #expect(facts["screen_lock.idle_delay_seconds"] == .number(180))
        #expect(facts["screen_lock.source"] == .text("xfce4-screensaver xfconf-query -c xfce4-screensaver"))
    }

    @Test func xfceWithoutReadableSettingsOrLockerIsUnknown() async throws {
        let tree = try SessionTree()
        try tree.process(2200, "xfce4-session", uid: 1000, environment: ["XDG_CURRENT_DESKTOP": "XFCE"])
        var facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == nil)
        #expect(facts["screen_lock.evidence"]?.description.contains("no screen locker runs") == true)
        try tree.process(2201, "xfce4-screensaver", uid: 1000)
        facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == nil)
        #expect(facts["screen_lock.state"] == .text("unknown"))
    }

    @Test func xfceLightLockerFollowsTheBlankingTime() async throws {
        let tree = try SessionTree()
        try tree.process(2200, "xfce4-session", uid: 1000, environment: ["XDG_CURRENT_DESKTOP": "XFCE"])
        try tree.process(2202, "light-locker", uid: 1000)
        #expect(await tree.collect()["screen_lock.state"] == .text("unknown"))
        try tree.dir.write(
            "home/alice/.config/xfce4/xfconf/xfce-perchannel-xml/xfce4-power-manager.xml",
            #"<channel name="xfce4-power-manager"><property name="xfce4-power-manager" type="empty">"#
                + #"<property name="blank-on-ac" type="int" value="15"/></property></channel>"#)
        let facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == .flag(true))
        #expect(facts["screen_lock.idle_delay_seconds"] == .number(900))
        #expect(facts["screen_lock.source"]?.description.hasPrefix("light-locker") == true)
    }

    @Test func cinnamonSettings() async throws {
        let tree = try SessionTree()
        try tree.process(2300, "cinnamon-session", uid: 1000, environment: ["XDG_CURRENT_DESKTOP": "X-Cinnamon"])
        var facts = await tree.collect()
        #expect(facts["screen_lock.session"] == .text("Cinnamon"))
        #expect(facts["screen_lock.enabled"] == .flag(true))
        #expect(tree.log.contains("dconf /org/cinnamon/desktop/screensaver/lock-enabled"))
        try tree.set("/org/cinnamon/desktop/screensaver/idle-activation-enabled", "false")
        facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == .flag(false))
    }

    @Test func mateSettingsInMinutes() async throws {
        let tree = try SessionTree()
        try tree.process(2400, "mate-session", uid: 1000, environment: ["XDG_CURRENT_DESKTOP": "MATE"])
        try tree.set("/org/mate/desktop/session/idle-delay", "10")
        try tree.set("/org/mate/screensaver/lock-delay", "2")
        var facts = await tree.collect()
        #expect(facts["screen_lock.session"] == .text("MATE"))
        #expect(facts["screen_lock.enabled"] == .flag(true))
        #expect(facts["screen_lock.idle_delay_seconds"] == .number(600))
        #expect(facts["screen_lock.lock_delay_seconds"] == .number(120))
        try tree.set("/org/mate/screensaver/lock-enabled", "false")
        facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == .flag(false))
    }

    @Test func lxqtWithXscreensaver() async throws {
        let tree = try SessionTree()
        try tree.process(2500, "lxqt-session", uid: 1000, environment: ["XDG_CURRENT_DESKTOP": "LXQt"])
        var facts = await tree.collect()
        #expect(facts["screen_lock.session"] == .text("LXQt"))
        #expect(facts["screen_lock.enabled"] == nil)
        try tree.process(2501, "xscreensaver", uid: 1000)
        try tree.dir.write(
            "home/alice/.xscreensaver",
            "# XScreenSaver Preferences File\ntimeout:\t0:05:00\nlock:\t\tTrue\nlockTimeout:\t0:01:00\nmode:\t\trandom\n"
        )
        facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == .flag(true))
        #expect(facts["screen_lock.idle_delay_seconds"] == .number(300))
        #expect(facts["screen_lock.lock_delay_seconds"] == .number(60))
        #expect(facts["screen_lock.source"] == .text("xscreensaver /home/alice/.xscreensaver"))
        try tree.dir.write("home/alice/.xscreensaver", "timeout: 0:05:00\nlock: False\n")
        #expect(await tree.collect()["screen_lock.enabled"] == .flag(false))
    }

    @Test func kdePlasmaSession() async throws {
        let tree = try SessionTree()
        try tree.process(2600, "plasmashell", uid: 1000, environment: ["XDG_CURRENT_DESKTOP": "KDE"])
        var facts = await tree.collect()
        #expect(facts["screen_lock.session"] == .text("KDE Plasma"))
        #expect(facts["screen_lock.enabled"] == .flag(true))
        #expect(facts["screen_lock.source"] == .text("KDE Plasma defaults (no /home/alice/.config/kscreenlockerrc)"))
        try tree.dir.write("home/alice/.config/kscreenlockerrc", "[Daemon]\nAutolock=false\n")
        facts = await tree.collect()
        #expect(facts["screen_lock.enabled"] == .flag(false))
        #expect(facts["screen_lock.source"] == .text("KDE Plasma /home/alice/.config/kscreenlockerrc"))
    }

    @Test func unknownDesktopIsUnknownAndNamed() async throws {
        let tree = try SessionTree()
        try tree.process(2700, "i3", uid: 1000)
        try tree.logind("7", uid: 1000, user: "alice", type: "x11", desktop: "i3", leader: 2700)
        let facts = await tree.collect()
        #expect(facts["screen_lock.session"] == .text("i3"))
        #expect(facts["screen_lock.enabled"] == nil)
        #expect(facts["screen_lock.state"] == .text("unknown"))
        #expect(
            facts["screen_lock.evidence"]
                == .text(
                    "i3 session of alice (logind session 7), read from i3: unknown, the screen locker of i3 is not read "
                        + "by HomeReady"))
        #expect(await lockRule(facts).status == "error")
    }

    @Test func parsers() {
        #expect(ScreenLockFacts.parseDuration("0:10:00") == 600)
        #expect(ScreenLockFacts.parseDuration("1:30") == 90)
        #expect(ScreenLockFacts.parseDuration("x") == nil)
        #expect(
            ScreenLockFacts.xfconfXML(
                #"<channel><property name="a" type="empty"><property name="b" type="string" value="x &amp; y"/></property><property name="c" type="int" value="2"/></channel>"#
            ) == ["/a/b": "x & y", "/c": "2"])
        #expect(DesktopSession.Desktop(name: "Budgie:GNOME") == .gnome)
        #expect(DesktopSession.Desktop(name: "X-Cinnamon") == .cinnamon)
        #expect(DesktopSession.Desktop(name: "sway") == .other("sway"))
    }

    @Test func thisMachineDoesNotClaimALockItDidNotSee() async throws {
        let facts = await ScreenLockFacts.collect(
            runner: CommandRunner(), environment: ProcessInfo.processInfo.environment)
        print("screen-lock facts on this machine: \(facts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })")
        if facts["screen_lock.session"] == .text("none") {
            #expect(facts["screen_lock.enabled"] == nil)
            #expect(await lockRule(facts).status != "pass")
        } else {
            #expect(facts["screen_lock.source"] != nil)
        }
    }
}
