extension Threshold {
    private enum Keys: String, CodingKey {
        case limit, severity, remediation
    }

    /// Writes whole-number limits as integers (`limit: 10`, not `1e+1` in YAML).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        if limit.rounded() == limit, abs(limit) < 1e15 {
            try container.encode(Int64(limit), forKey: .limit)
        } else {
            try container.encode(limit, forKey: .limit)
        }
        try container.encode(severity, forKey: .severity)
        try container.encodeIfPresent(remediation, forKey: .remediation)
    }
}
