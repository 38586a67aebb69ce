import Foundation

/// A small PDF 1.4 writer, enough for a printable report: A4 pages of text in the standard Helvetica and
/// Helvetica-Bold fonts (WinAnsiEncoding, so Spanish accents, ñ, ¿ and ¡ print) and vector paths (lines, filled
/// rectangles, polylines) for charts. No PDF library is mirrored here, so this one is our own; it writes
/// uncompressed content streams and an exact cross-reference table (each object's byte offset), which
/// `qpdf --check` and `pdftotext` read.
struct PDFWriter {
    /// An RGB colour, each part 0…1.
    struct Color: Sendable, Equatable {
        var r: Double, g: Double, b: Double

        static let black = Color(r: 0.14, g: 0.16, b: 0.18)
        static let grey = Color(r: 0.82, g: 0.84, b: 0.87)
        static let green = Color(r: 0.10, g: 0.50, b: 0.22)
        static let blue = Color(r: 0.02, g: 0.31, b: 0.68)
        static let purple = Color(r: 0.51, g: 0.31, b: 0.87)
        static let red = Color(r: 0.81, g: 0.13, b: 0.18)
        static let amber = Color(r: 0.60, g: 0.40, b: 0.0)
    }

    /// One page's drawing operations, in PDF user space (points, origin at the bottom left).
    struct Page {
        fileprivate var content: [UInt8] = []

        /// Writes `text` with its baseline starting at (`x`, `y`).
        mutating func text(
            _ text: String, x: Double, y: Double, size: Double, bold: Bool = false, color: Color = .black
        ) {
            append("BT \(fill(color)) /\(bold ? "F2" : "F1") \(n(size)) Tf \(n(x)) \(n(y)) Td (")
            content += PDFWriter.literal(text)
            append(") Tj ET\n")
        }

        /// A straight line; `dash` gives on and off lengths.
        mutating func line(
            from start: (x: Double, y: Double), to end: (x: Double, y: Double), width: Double = 1,
            color: Color = .black,
            dash: (Double, Double)? = nil
        ) {
            polyline([start, end], width: width, color: color, dash: dash)
        }

        /// Connected straight segments through `points`.
        mutating func polyline(
            _ points: [(x: Double, y: Double)], width: Double, color: Color, dash: (Double, Double)? = nil
        ) {
            guard let first = points.first else { return }
            append("q \(stroke(color)) \(n(width)) w ")
            if let dash { append("[\(n(dash.0)) \(n(dash.1))] 0 d ") }
            append("\(n(first.x)) \(n(first.y)) m ")
            for point in points.dropFirst() { append("\(n(point.x)) \(n(point.y)) l ") }
            append("S Q\n")
        }

        /// A filled rectangle with its lower left corner at (`x`, `y`).
        mutating func rect(x: Double, y: Double, width: Double, height: Double, color: Color) {
            append("q \(fill(color)) \(n(x)) \(n(y)) \(n(width)) \(n(height)) re f Q\n")
        }

        private mutating func append(_ ascii: String) { content += Array(ascii.utf8) }
        private func fill(_ c: Color) -> String { "\(n(c.r)) \(n(c.g)) \(n(c.b)) rg" }
        private func stroke(_ c: Color) -> String { "\(n(c.r)) \(n(c.g)) \(n(c.b)) RG" }
    }

    /// A4 in points.
    static let pageWidth = 595.28
    static let pageHeight = 841.89

    var pages: [Page] = []
    var title: String = ""

    /// The document's bytes: header, objects, cross-reference table, trailer.
    func data() -> Data {
        var out: [UInt8] = Array(
            "%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        var offsets: [Int] = []
        func object(_ body: [UInt8]) {
            offsets.append(out.count)
            out += Array("\(offsets.count) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        let pageCount = max(pages.count, 1)
        // 1 catalog, 2 page tree, 3 and 4 fonts, 5 info, then each page and its content stream.
        let kids = (0..<pageCount).map { "\(6 + 2 * $0) 0 R" }.joined(separator: " ")
        object(Array("<< /Type /Catalog /Pages 2 0 R >>".utf8))
        object(Array("<< /Type /Pages /Kids [\(kids)] /Count \(pageCount) >>".utf8))
        for name in ["Helvetica", "Helvetica-Bold"] {
            object(Array("<< /Type /Font /Subtype /Type1 /BaseFont /\(name) /Encoding /WinAnsiEncoding >>".utf8))
        }
        object(Array("<< /Title (".utf8) + Self.literal(title) + Array(") /Producer (HomeReady) >>".utf8))
        for index in 0..<pageCount {
            let content = index < pages.count ? pages[index].content : []
            object(
                Array(
                    """
                    << /Type /Page /Parent 2 0 R /MediaBox [0 0 \(n(Self.pageWidth)) \(n(Self.pageHeight))] \
                    /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents \(7 + 2 * index) 0 R >>
                    """.utf8))
            object(Array("<< /Length \(content.count) >>\nstream\n".utf8) + content + Array("\nendstream".utf8))
        }
        let xref = out.count
        var table = "xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        table += "trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R /Info 5 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        out += Array(table.utf8)
        return Data(out)
    }

    /// `text` as the bytes of a PDF literal string in WinAnsiEncoding: `(`, `)` and `\` escaped, bytes above 127
    /// as octal escapes; characters the encoding lacks become `?`.
    static func literal(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            let byte = winAnsi(scalar)
            switch byte {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), byte]
            case 0x80...: bytes += Array(String(format: "\\%03o", byte).utf8)
            default: bytes.append(byte)
            }
        }
        return bytes
    }

    /// The WinAnsiEncoding (Windows-1252) byte of a character, `?` when it has none.
    static func winAnsi(_ scalar: Unicode.Scalar) -> UInt8 {
        switch scalar.value {
        case 0x20..<0x7F: return UInt8(scalar.value)
        case 0x09, 0x0A, 0x0D, 0x2009, 0x200A, 0x2002, 0x2003: return 0x20
        case 0x202F, 0x00A0: return 0xA0
        case 0xA1...0xFF: return UInt8(scalar.value)
        default: return cp1252[scalar.value] ?? UInt8(ascii: "?")
        }
    }

    private static let cp1252: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
        0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91,
        0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98,
        0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B, 0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F, 0x2212: 0x2D,
    ]

    /// The width of `text` in Helvetica at `size`, approximated per character class (for wrapping and right
    /// alignment; the exact metrics are in the font's AFM file).
    static func width(_ text: String, size: Double, bold: Bool = false) -> Double {
        var units = 0.0
        for character in text {
            switch character {
            case "i", "j", "l", ".", ",", ":", ";", "'", "|", "!", " ", "\u{A0}", "\u{202F}": units += 278
            case "f", "t", "r", "(", ")", "[", "]", "-", "/": units += 333
            case "m", "M", "W": units += 833
            case "w", "%", "@": units += 722
            case "A"..."Z", "Á", "É", "Í", "Ó", "Ú", "Ñ": units += 667
            default: units += 556
            }
        }
        return units / 1000 * size * (bold ? 1.05 : 1)
    }

    /// Splits `text` into lines no wider than `width` at `size`.
    static func wrap(_ text: String, width: Double, size: Double, bold: Bool = false) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if Self.width(candidate, size: size, bold: bold) > width, !current.isEmpty {
                lines.append(current)
                current = String(word)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}

/// A number as PDF writes it: up to two decimals, no exponent.
private func n(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(format: "%.2f", rounded)
}
