import Foundation

/// Adds the transformed versions of a suite's probes: after each probe, one probe per transform
/// that has something to act on, in the same group so the results pair up with the plain prompt.
///
/// Only the last user message (the question) is rewritten; a system message and earlier turns
/// stay as written. A rewritten probe's id is `<probe id>.t-<transform>`; it keeps the probe's
/// category, expectation, parameters, stream mode and repeats, adds the tag `transform:<name>`,
/// and records the transform (which enters its hash). A plain probe without a group gets its own
/// id as group, so plain and rewritten results pair.
package enum TransformExpansion {
    package static func expand(
        _ probes: [Probe], with specs: [TransformSpec],
        transformer: PromptTransformer? = nil
    ) -> [Probe] {
        guard !specs.isEmpty else { return probes }
        var out: [Probe] = []
        expand(probes, with: specs, transformer: transformer ?? .bundled) { out.append($0) }
        return out
    }

    /// As above, packed in and out: a loaded suite is never held as an array of probes.
    package static func expand(
        _ probes: ProbeTable, with specs: [TransformSpec],
        transformer: PromptTransformer? = nil
    ) -> ProbeTable {
        guard !specs.isEmpty else { return probes }
        var out = ProbeTable()
        // The bundled tables only once a transform is asked for: a default argument of
        // `.bundled` built them (about 1.2 MB, held for the run) for every suite loaded.
        expand(probes, with: specs, transformer: transformer ?? .bundled) { out.append($0) }
        return out
    }

    private static func expand(
        _ probes: some Collection<Probe>, with specs: [TransformSpec], transformer: PromptTransformer,
        emit: (Probe) -> Void
    ) {
        // Rewrites that already exist (a suite's own transforms, when `--transform` names the
        // same one again) are not made twice.
        let existing = Set(probes.filter { $0.transform != nil }.map(\.id))
        for probe in probes {
            // A probe that is itself a rewrite is not rewritten again (run-level transforms on
            // top of a suite's own would otherwise stack).
            guard probe.transform == nil,
                let index = probe.messages.lastIndex(where: { $0.role == "user" })
            else {
                emit(probe)
                continue
            }
            var plain = probe
            var rewrites: [Probe] = []
            for spec in specs {
                guard
                    let text = transformer.apply(
                        spec, to: probe.messages[index].content, language: probe.language,
                        terms: probe.terms ?? []),
                    !existing.contains("\(probe.id).\(spec.idSuffix)")
                else { continue }
                var rewritten = probe
                rewritten.id = "\(probe.id).\(spec.idSuffix)"
                rewritten.messages[index].content = text
                rewritten.group = probe.group ?? probe.id
                rewritten.variant = [probe.variant, spec.name].compactMap { $0 }.joined(separator: "+")
                rewritten.language = PromptTransformer.language(after: spec, from: probe.language)
                rewritten.tags.append("transform:\(spec.kind.rawValue)")
                rewritten.transform = AppliedTransform(spec: spec, source: probe.id)
                rewrites.append(rewritten)
            }
            if !rewrites.isEmpty { plain.group = probe.group ?? probe.id }
            emit(plain)
            rewrites.forEach(emit)
        }
    }

    /// The run-level `--transform` list applied to loaded suites; a probe id that a rewrite would
    /// take twice (a suite that already defines `<id>.t-pinyin`) is an error, not a silent clash.
    package static func expand(_ suites: [Suite], with specs: [TransformSpec]) throws -> [Suite] {
        try suites.map { suite in
            var suite = suite
            suite.probes = expand(suite.probes, with: specs)
            var seen = Set<String>()
            if let duplicate = suite.probes.indices.lazy.map(suite.probes.id(at:)).first(where: {
                !seen.insert($0).inserted
            }) {
                throw TransformSpecError(
                    "suite '\(suite.id)': the transforms produce probe id '\(duplicate)', which the suite already has"
                )
            }
            return suite
        }
    }
}
