/// The bookkeeping of a delay line: packets held in arrival order in a ring of fixed-size slots, each due a
/// constant delay after it arrived. Because the delay is the same for every packet, the oldest packet is always
/// the next one due, so a FIFO is enough (no priority queue).
///
/// Pure value: the caller owns the packet bytes (slot `i` of its buffer) and serialises access. Only the reader
/// calls `freeSlot` and `push`; only the writer calls `headDue`, `dueCount` and `release`: the slot at the tail
/// is never touched by the writer, so the reader fills it without holding the lock.
public struct DelayFIFO: Sendable {
    /// How many packets the ring holds at most; a packet arriving when it is full is dropped by the caller.
    public let capacity: Int
    /// Packets taken out so far (monotonic; `head % capacity` is the oldest slot).
    public private(set) var head = 0
    /// Packets put in so far (monotonic; `tail % capacity` is the next free slot).
    public private(set) var tail = 0
    private var due: [UInt64]
    private var lengths: [Int]

    /// An empty ring of `capacity` slots.
    public init(capacity: Int) {
        precondition(capacity > 0, "a delay line needs at least one slot")
        self.capacity = capacity
        due = [UInt64](repeating: 0, count: capacity)
        lengths = [Int](repeating: 0, count: capacity)
    }

    /// Packets waiting.
    public var count: Int { tail - head }
    public var isEmpty: Bool { head == tail }

    /// The slot the next arriving packet goes into, or nil when the ring is full.
    public var freeSlot: Int? { count < capacity ? tail % capacity : nil }

    /// Commits the packet just written into `freeSlot`: `length` bytes, due at `dueNanoseconds`.
    public mutating func push(length: Int, dueNanoseconds: UInt64) {
        precondition(count < capacity, "push into a full delay line")
        let slot = tail % capacity
        lengths[slot] = length
        due[slot] = dueNanoseconds
        tail += 1
    }

    /// When the oldest packet is due, or nil when none waits.
    public var headDue: UInt64? { isEmpty ? nil : due[head % capacity] }

    /// The oldest packets due at `now`, in order, as (slot, length); at most `limit`. They stay in the ring
    /// until `release(_:)`.
    public func dueSlots(at now: UInt64, limit: Int = .max) -> [(slot: Int, length: Int)] {
        var result: [(slot: Int, length: Int)] = []
        var index = head
        while index < tail && result.count < limit {
            let slot = index % capacity
            guard due[slot] <= now else { break }
            result.append((slot, lengths[slot]))
            index += 1
        }
        return result
    }

    /// Frees the `count` oldest slots (after their packets were written out).
    public mutating func release(_ count: Int) {
        precondition(count <= self.count, "release of more packets than the delay line holds")
        head += count
    }
}
