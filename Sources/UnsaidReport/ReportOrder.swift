import UnsaidSuite

/// What report order reads of a request: suite, probe, sample, then streamed before non-streamed.
/// One definition for the keys themselves, the summaries a report keeps and the places of a
/// spooled problem list, which must all sort alike.
protocol ReportOrdered {
    var suite: String { get }
    var probe: String { get }
    var sample: Int { get }
    var streamed: Bool { get }
}

extension ReportOrdered {
    /// Whether `self` comes before `other` in report order (neither does for equal keys).
    func precedes(_ other: some ReportOrdered) -> Bool {
        if suite != other.suite { return suite < other.suite }
        if probe != other.probe { return probe < other.probe }
        if sample != other.sample { return sample < other.sample }
        return streamed && !other.streamed
    }
}

extension WorkKey: ReportOrdered {}
