import CHomeReadyTUN
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a delay line runs.
public struct DelayLineConfiguration: Sendable {
    /// The TUN device to open (created when it does not exist; a persistent one made by `ip tuntap` is reused).
    public var device: String
    /// The delay each packet is held for, one way. A packet crosses the line once per direction, so the round
    /// trip gains twice this.
    public var oneWayDelaySeconds: Double
    /// Packets held at most; more are dropped (counted). 16384 slots hold 80 ms at 500 Mbit/s with room to spare.
    public var capacityPackets: Int
    /// Bytes per slot: the largest packet the device hands over (its MTU; 1500 by default).
    public var slotBytes: Int
    /// Seconds between statistics lines on standard error; nil for none.
    public var statisticsEverySeconds: Double?

    public init(
        device: String, oneWayDelaySeconds: Double, capacityPackets: Int = 16384, slotBytes: Int = 2048,
        statisticsEverySeconds: Double? = nil
    ) {
        self.device = device
        self.oneWayDelaySeconds = oneWayDelaySeconds
        self.capacityPackets = capacityPackets
        self.slotBytes = slotBytes
        self.statisticsEverySeconds = statisticsEverySeconds
    }
}

/// Why a delay line could not start or had to stop.
public struct DelayLineError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case open(device: String, errno: Int32)
        case read(errno: Int32)
        case configuration(String)
    }
    private let code: Code

    /// The TUN device could not be opened or attached.
    public static func open(device: String, errno: Int32) -> Self { Self(code: .open(device: device, errno: errno)) }
    /// Reading a packet from the device failed.
    public static func read(errno: Int32) -> Self { Self(code: .read(errno: errno)) }
    /// A setting is out of range.
    public static func configuration(_ message: String) -> Self { Self(code: .configuration(message)) }

    public var description: String {
        switch code {
        case .open(let device, let errno):
            let reason = String(cString: strerror(errno))
            return "cannot open the TUN device \(device): \(reason); run as root (CAP_NET_ADMIN) with /dev/net/tun "
                + "present (modprobe tun), inside the namespace that should own the device"
        case .read(let errno):
            return "reading a packet from the TUN device failed: \(String(cString: strerror(errno)))"
        case .configuration(let message):
            return message
        }
    }
}

/// Counters of a running delay line.
public struct DelayLineStatistics: Sendable, Equatable {
    /// Packets written back after their delay.
    public var forwarded = 0
    /// Packets dropped because the line was full.
    public var dropped = 0
    /// Packets written late by more than a millisecond (the machine was too busy).
    public var late = 0
}

/// A delay line on a TUN device: every packet read from the device is held for a fixed one-way delay (monotonic
/// clock) and written back, and the kernel routes it on. Policy routing in a router namespace sends all traffic
/// between two veths through the device (see `NetworkLab(oneWayDelayMs:)` and `Scripts/lab --rtt-ms`), which
/// gives a lab link a real round-trip time where this kernel has no netem.
///
/// Two threads, no locks on the packet bytes: a reader that blocks in read(2) and stamps each packet into the next
/// free slot of a `DelayFIFO`, and a writer that sleeps until the oldest packet is due and writes every packet
/// due by then. Dedicated threads rather than tasks: both block in system calls tens of thousands of times a
/// second and must not hold up the cooperative pool.
public final class DelayLine: @unchecked Sendable {
    public let configuration: DelayLineConfiguration
    private let descriptor: Int32
    private let delayNanoseconds: UInt64
    private let storage: UnsafeMutableRawPointer
    private let scratch: UnsafeMutableRawPointer
    /// Guards `fifo` and `statistics`; the writer waits on it while the line is empty.
    private let condition = NSCondition()
    private var fifo: DelayFIFO
    private var counters = DelayLineStatistics()

    /// Opens the device. Throws when the settings are out of range or the device cannot be opened.
    public init(_ configuration: DelayLineConfiguration) throws(DelayLineError) {
        guard configuration.oneWayDelaySeconds >= 0, configuration.oneWayDelaySeconds <= 10 else {
            throw .configuration(
                "the one-way delay must be between 0 and 10 000 ms, got \(configuration.oneWayDelaySeconds * 1000) ms")
        }
        guard configuration.capacityPackets > 0, configuration.slotBytes >= 1280 else {
            throw .configuration("the line needs at least one slot of at least 1280 bytes (the IPv6 minimum MTU)")
        }
        guard !configuration.device.isEmpty, configuration.device.utf8.count < 16 else {
            throw .configuration("a device name has 1 to 15 characters, got \"\(configuration.device)\"")
        }
        let fd = homeready_tun_open(configuration.device)
        guard fd >= 0 else { throw .open(device: configuration.device, errno: -fd) }
        self.configuration = configuration
        descriptor = fd
        delayNanoseconds = UInt64((configuration.oneWayDelaySeconds * 1e9).rounded())
        fifo = DelayFIFO(capacity: configuration.capacityPackets)
        storage = .allocate(byteCount: configuration.capacityPackets * configuration.slotBytes, alignment: 64)
        scratch = .allocate(byteCount: configuration.slotBytes, alignment: 64)
    }

    deinit {
        close(descriptor)
        storage.deallocate()
        scratch.deallocate()
    }

    /// The counters so far.
    public var statistics: DelayLineStatistics {
        condition.lock()
        defer { condition.unlock() }
        return counters
    }

    /// Runs the line until the process ends (it is stopped by a signal, like any lab peer). Throws when the
    /// device fails.
    public func run() throws(DelayLineError) -> Never {
        let failure = FailureBox()
        let reader = Thread { [self] in
            do throws(DelayLineError) { try readLoop() } catch { failure.set(error) }
        }
        reader.name = "delay-reader"
        reader.start()
        writeLoop(failure: failure)
    }

    private func readLoop() throws(DelayLineError) {
        let slotBytes = configuration.slotBytes
        while true {
            condition.lock()
            let slot = fifo.freeSlot
            condition.unlock()
            let buffer = slot.map { storage + $0 * slotBytes } ?? scratch
            let length = Glibc.read(descriptor, buffer, slotBytes)
            let now = homeready_tun_monotonic_ns()
            if length < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .read(errno: errno)
            }
            condition.lock()
            if slot != nil {
                fifo.push(length: length, dueNanoseconds: now + delayNanoseconds)
                condition.signal()
            } else {
                counters.dropped += 1
            }
            condition.unlock()
        }
    }

    private func writeLoop(failure: FailureBox) -> Never {
        _ = homeready_tun_set_timer_slack(1000)
        let slotBytes = configuration.slotBytes
        let statisticsEvery = configuration.statisticsEverySeconds.map { UInt64($0 * 1e9) }
        var nextStatistics = homeready_tun_monotonic_ns() + (statisticsEvery ?? 0)
        while true {
            if let error = failure.error {
                FileHandle.standardError.write(Data("homeready-lab-delay: \(error)\n".utf8))
                exit(1)
            }
            condition.lock()
            while fifo.isEmpty {
                _ = condition.wait(until: Date(timeIntervalSinceNow: 1))
                if failure.error != nil { break }
            }
            let due = fifo.headDue
            condition.unlock()
            guard let due else { continue }
            homeready_tun_sleep_until(due)
            let now = homeready_tun_monotonic_ns()
            condition.lock()
            let batch = fifo.dueSlots(at: now, limit: 256)
            condition.unlock()
            var late = 0
            for packet in batch {
                _ = Glibc.write(descriptor, storage + packet.slot * slotBytes, packet.length)
            }
            if now > due + 1_000_000 { late = batch.count }
            condition.lock()
            fifo.release(batch.count)
            counters.forwarded += batch.count
            counters.late += late
            let snapshot = counters
            condition.unlock()
            if let statisticsEvery, now >= nextStatistics {
                nextStatistics = now + statisticsEvery
                let line = "forwarded \(snapshot.forwarded) dropped \(snapshot.dropped) late \(snapshot.late)"
                FileHandle.standardError.write(Data("homeready-lab-delay: \(line)\n".utf8))
            }
        }
    }
}

/// The reader thread's failure, seen by the writer.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: DelayLineError?
    var error: DelayLineError? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
    func set(_ error: DelayLineError) {
        lock.lock()
        stored = error
        lock.unlock()
    }
}
