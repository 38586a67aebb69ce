extension String {
    /// `value` in decimal with leading zeros up to `width` digits ("00042"), as `String(format: "%05d")` writes a
    /// value that is not negative, without Foundation's formatter.
    public init<T: BinaryInteger>(_ value: T, zeroPaddedTo width: Int) {
        let text = String(value)
        let zeros = Swift.max(0, width - text.count)
        self = String(repeating: "0", count: zeros) + text
    }
}
