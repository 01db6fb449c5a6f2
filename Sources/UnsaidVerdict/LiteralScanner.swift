/// Finds which of a fixed set of literal strings occur in a text, in one pass (Aho–Corasick over
/// UTF-16 code units). Built once per ruleset; `present(in:)` is what lets the classifier skip
/// phrase expressions whose required literals are absent.
package struct LiteralScanner: Sendable {
    let literalCount: Int
    /// Empty literals, which occur in every text.
    private let emptyLiterals: [Int]
    /// Code unit → symbol (1-based); 0 for units that occur in no literal.
    private let symbols: [UInt16]
    private let symbolCount: Int
    /// The root's transitions, dense by symbol (the root is where most of the scan happens).
    private let rootNext: [Int32]
    /// Other states' transitions: `edges[edgeStart[s]..<edgeStart[s + 1]]`, as (symbol, target).
    private let edgeStart: [Int32]
    private let edgeSymbols: [UInt16]
    private let edgeTargets: [Int32]
    private let failure: [Int32]
    /// Literals that end at a state: `outputs[outputStart[s]..<outputStart[s + 1]]`, including
    /// those reached through failure links.
    private let outputStart: [Int32]
    private let outputs: [Int32]

    init(literals: [[UInt16]]) {
        literalCount = literals.count
        emptyLiterals = literals.indices.filter { literals[$0].isEmpty }
        var symbols = [UInt16](repeating: 0, count: 0x10000)
        var symbolCount = 0
        for literal in literals {
            for unit in literal where symbols[Int(unit)] == 0 {
                symbolCount += 1
                symbols[Int(unit)] = UInt16(symbolCount)
            }
        }
        self.symbols = symbols
        self.symbolCount = symbolCount

        // The trie, states numbered as they are made. Its edges sit in one table keyed by state
        // and symbol (a dictionary per state, ~19,000 of them for the bundled rules, was most of
        // what compiling the ruleset cost every process).
        var edges = EdgeTable(capacity: literals.reduce(0) { $0 + $1.count })
        var stateCount = 1
        var ends: [(state: Int32, literal: Int32)] = []
        for (index, literal) in literals.enumerated() where !literal.isEmpty {
            var state: Int32 = 0
            for unit in literal {
                let symbol = symbols[Int(unit)]
                if let next = edges.target(from: state, on: symbol) {
                    state = next
                } else {
                    let next = Int32(stateCount)
                    stateCount += 1
                    edges.insert(from: state, on: symbol, to: next)
                    state = next
                }
            }
            ends.append((state, Int32(index)))
        }
        // Each state's edges in symbol order, states in order.
        let sortedEdges = edges.entries.sorted { $0.key < $1.key }
        var edgeStart = [Int32](repeating: 0, count: stateCount + 1)
        for edge in sortedEdges { edgeStart[Int(edge.key >> 16) + 1] += 1 }
        for state in 0..<stateCount { edgeStart[state + 1] += edgeStart[state] }
        let edgeSymbols = sortedEdges.map { UInt16(truncatingIfNeeded: $0.key) }
        let edgeTargets = sortedEdges.map(\.target)

        // Failure links, breadth first (each state after the shallower ones its link can reach).
        var failure = [Int32](repeating: 0, count: stateCount)
        var queue: [Int32] = []
        queue.reserveCapacity(stateCount)
        queue.append(0)
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            for position in Int(edgeStart[Int(state)])..<Int(edgeStart[Int(state) + 1]) {
                let symbol = edgeSymbols[position]
                let child = edgeTargets[position]
                queue.append(child)
                if state != 0 {
                    var fallback = failure[Int(state)]
                    while fallback != 0 && edges.target(from: fallback, on: symbol) == nil {
                        fallback = failure[Int(fallback)]
                    }
                    failure[Int(child)] = edges.target(from: fallback, on: symbol) ?? 0
                }
            }
        }
        self.failure = failure

        var rootNext = [Int32](repeating: 0, count: symbolCount + 1)
        for position in Int(edgeStart[0])..<Int(edgeStart[1]) {
            rootNext[Int(edgeSymbols[position])] = edgeTargets[position]
        }
        self.rootNext = rootNext
        self.edgeStart = edgeStart
        self.edgeSymbols = edgeSymbols
        self.edgeTargets = edgeTargets

        // A state's outputs: the literals ending there (in literal order), then its failure
        // state's outputs, which breadth-first order has already laid out.
        var endStart = [Int32](repeating: 0, count: stateCount + 1)
        for end in ends { endStart[Int(end.state) + 1] += 1 }
        for state in 0..<stateCount { endStart[state + 1] += endStart[state] }
        var endLiterals = [Int32](repeating: 0, count: ends.count)
        var filled = endStart
        for end in ends {
            endLiterals[Int(filled[Int(end.state)])] = end.literal
            filled[Int(end.state)] += 1
        }
        var outputCount = [Int32](repeating: 0, count: stateCount)
        for state in queue {
            let own = endStart[Int(state) + 1] - endStart[Int(state)]
            outputCount[Int(state)] = own + (state == 0 ? 0 : outputCount[Int(failure[Int(state)])])
        }
        var outputStart = [Int32](repeating: 0, count: stateCount + 1)
        for state in 0..<stateCount { outputStart[state + 1] = outputStart[state] + outputCount[state] }
        var outputs = [Int32](repeating: 0, count: Int(outputStart[stateCount]))
        for state in queue {
            var next = Int(outputStart[Int(state)])
            for position in Int(endStart[Int(state)])..<Int(endStart[Int(state) + 1]) {
                outputs[next] = endLiterals[position]
                next += 1
            }
            if state != 0 {
                let inherited = failure[Int(state)]
                for position in Int(outputStart[Int(inherited)])..<Int(outputStart[Int(inherited) + 1]) {
                    outputs[next] = outputs[position]
                    next += 1
                }
            }
        }
        self.outputStart = outputStart
        self.outputs = outputs
    }

    /// The trie's edges while it is built: (state, symbol) → target, open-addressed.
    private struct EdgeTable {
        private(set) var entries: [(key: UInt64, target: Int32)] = []
        /// Positions in `entries` plus one (0: empty slot).
        private var slots: [Int32]
        private var shift: UInt64

        init(capacity: Int) {
            var size = 64
            while size < capacity * 2 { size *= 2 }
            slots = [Int32](repeating: 0, count: size)
            shift = UInt64(64 - size.trailingZeroBitCount)
            entries.reserveCapacity(capacity)
        }

        private static func key(_ state: Int32, _ symbol: UInt16) -> UInt64 {
            UInt64(UInt32(bitPattern: state)) << 16 | UInt64(symbol)
        }

        private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

        func target(from state: Int32, on symbol: UInt16) -> Int32? {
            let key = Self.key(state, symbol)
            let mask = slots.count - 1
            var slot = home(key)
            while true {
                let stored = Int(slots[slot])
                if stored == 0 { return nil }
                if entries[stored - 1].key == key { return entries[stored - 1].target }
                slot = (slot + 1) & mask
            }
        }

        /// Adds an edge that is not there yet (at most one per unit of the literals: no growing).
        mutating func insert(from state: Int32, on symbol: UInt16, to target: Int32) {
            let key = Self.key(state, symbol)
            entries.append((key, target))
            let mask = slots.count - 1
            var slot = home(key)
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entries.count)
        }
    }

    /// For each literal, whether it occurs in `units`. Empty literals always occur.
    func present(in units: [UInt16]) -> [Bool] {
        var found = [Bool](repeating: false, count: literalCount)
        for index in emptyLiterals { found[index] = true }
        var state: Int32 = 0
        // Read through buffers: a bounds check on each of the lookups per unit cost about as
        // much as the lookups (every index is one the tables were built to hold).
        symbols.withUnsafeBufferPointer { symbols in
            rootNext.withUnsafeBufferPointer { rootNext in
                failure.withUnsafeBufferPointer { failure in
                    outputStart.withUnsafeBufferPointer { outputStart in
                        outputs.withUnsafeBufferPointer { outputs in
                            edgeStart.withUnsafeBufferPointer { edgeStart in
                                edgeSymbols.withUnsafeBufferPointer { edgeSymbols in
                                    edgeTargets.withUnsafeBufferPointer { edgeTargets in
                                        found.withUnsafeMutableBufferPointer { found in
                                            for unit in units {
                                                let symbol = symbols[Int(unit)]
                                                if symbol == 0 {
                                                    state = 0
                                                    continue
                                                }
                                                while true {
                                                    if state == 0 {
                                                        state = rootNext[Int(symbol)]
                                                        break
                                                    }
                                                    let next = Self.transition(
                                                        from: state, on: symbol, edgeStart, edgeSymbols, edgeTargets)
                                                    if next >= 0 {
                                                        state = next
                                                        break
                                                    }
                                                    state = failure[Int(state)]
                                                }
                                                let first = Int(outputStart[Int(state)])
                                                let last = Int(outputStart[Int(state) + 1])
                                                if first < last {
                                                    for index in first..<last { found[Int(outputs[index])] = true }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return found
    }

    /// The state `state` goes to on `symbol`, or -1 when it has no such edge. A state's edges are
    /// sorted by symbol: a few are scanned, more are searched by halves (a state near the root has
    /// dozens, and a scan of them was most of the time spent per unit of text).
    @inline(__always)
    private static func transition(
        from state: Int32, on symbol: UInt16, _ edgeStart: UnsafeBufferPointer<Int32>,
        _ edgeSymbols: UnsafeBufferPointer<UInt16>, _ edgeTargets: UnsafeBufferPointer<Int32>
    ) -> Int32 {
        var low = Int(edgeStart[Int(state)])
        var high = Int(edgeStart[Int(state) + 1])
        while high - low > 8 {
            let middle = (low + high) >> 1
            if edgeSymbols[middle] <= symbol { low = middle } else { high = middle }
        }
        while low < high {
            let candidate = edgeSymbols[low]
            if candidate == symbol { return edgeTargets[low] }
            if candidate > symbol { return -1 }
            low += 1
        }
        return -1
    }
}
