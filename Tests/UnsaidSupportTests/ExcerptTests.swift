import Testing
@testable import UnsaidSupport

/// Excerpts quote servers and models on the terminal and in reports: nothing in one may drive
/// the terminal.
@Suite struct ExcerptTests {
    @Test func terminalControlSequencesAreRemovedAndWhitespaceFolded() {
        // An HTTP 500 body a hostile server sent: colour, a title-setting OSC, a bell, a NUL.
        let body = "\u{1B}[31mRED\u{1B}[0m\u{1B}]0;pwned\u{07} ok\u{0}\n\n  done"
        #expect(Excerpt.of(body) == "RED ok done")
        #expect(!Excerpt.of(body).unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }

    @Test func longTextIsCutWithAnEllipsis() {
        #expect(Excerpt.of("one two  three", length: 7) == "one two…")
        #expect(Excerpt.of("short", length: 7) == "short")
    }
}
