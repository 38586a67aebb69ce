import Foundation

/// A mono 16-bit PCM WAV file of a sine tone, for Chromium's `--use-file-for-fake-audio-capture=FILE`: a fake
/// microphone at a known level (the default fake device beeps at full scale, which a level test calls clipping).
public enum WAVFile {
    /// Writes `seconds` of a `frequency` Hz sine at `dBFS` (peak; -infinity or below -150 writes silence).
    public static func tone(
        to url: URL, dBFS: Double, frequency: Double = 440, seconds: Double = 3, sampleRate: Int = 48_000
    ) throws {
        let amplitude = dBFS < -150 ? 0 : pow(10, dBFS / 20) * 32767
        let count = Int(seconds * Double(sampleRate))
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8))
        append(UInt32(36 + count * 2))
        data.append(contentsOf: Array("WAVEfmt ".utf8))
        append(UInt32(16))
        append(UInt16(1))  // PCM
        append(UInt16(1))  // mono
        append(UInt32(sampleRate))
        append(UInt32(sampleRate * 2))
        append(UInt16(2))
        append(UInt16(16))
        data.append(contentsOf: Array("data".utf8))
        append(UInt32(count * 2))
        for index in 0..<count {
            let sample = amplitude * sin(2 * Double.pi * frequency * Double(index) / Double(sampleRate))
            append(Int16(max(-32768, min(32767, sample.rounded()))))
        }
        try data.write(to: url)
    }
}
