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

        // The trie.
        var children: [[UInt16: Int32]] = [[:]]
        var ends: [[Int32]] = [[]]
        for (index, literal) in literals.enumerated() where !literal.isEmpty {
            var state: Int32 = 0
            for unit in literal {
                let symbol = symbols[Int(unit)]
                if let next = children[Int(state)][symbol] {
                    state = next
                } else {
                    children.append([:])
                    ends.append([])
                    let next = Int32(children.count - 1)
                    children[Int(state)][symbol] = next
                    state = next
                }
            }
            ends[Int(state)].append(Int32(index))
        }

        // Failure links, breadth first; outputs inherit their failure state's outputs.
        var failure = [Int32](repeating: 0, count: children.count)
        var outputLists = ends
        var queue: [Int32] = children[0].values.sorted()
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            for (symbol, child) in children[Int(state)].sorted(by: { $0.key < $1.key }) {
                queue.append(child)
                if state != 0 {
                    var fallback = failure[Int(state)]
                    while fallback != 0 && children[Int(fallback)][symbol] == nil { fallback = failure[Int(fallback)] }
                    failure[Int(child)] = children[Int(fallback)][symbol] ?? 0
                }
                outputLists[Int(child)] += outputLists[Int(failure[Int(child)])]
            }
        }
        self.failure = failure

        var rootNext = [Int32](repeating: 0, count: symbolCount + 1)
        for (symbol, child) in children[0] { rootNext[Int(symbol)] = child }
        self.rootNext = rootNext

        var edgeStart: [Int32] = [0]
        var edgeSymbols: [UInt16] = []
        var edgeTargets: [Int32] = []
        var outputStart: [Int32] = [0]
        var outputs: [Int32] = []
        for state in children.indices {
            for (symbol, child) in children[state].sorted(by: { $0.key < $1.key }) {
                edgeSymbols.append(symbol)
                edgeTargets.append(child)
            }
            edgeStart.append(Int32(edgeSymbols.count))
            outputs += outputLists[state]
            outputStart.append(Int32(outputs.count))
        }
        self.edgeStart = edgeStart
        self.edgeSymbols = edgeSymbols
        self.edgeTargets = edgeTargets
        self.outputStart = outputStart
        self.outputs = outputs
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
                                        if let next = transition(from: state, on: symbol) {
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
        return found
    }

    @inline(__always)
    private func transition(from state: Int32, on symbol: UInt16) -> Int32? {
        var index = Int(edgeStart[Int(state)])
        let end = Int(edgeStart[Int(state) + 1])
        while index < end {
            let candidate = edgeSymbols[index]
            if candidate == symbol { return edgeTargets[index] }
            if candidate > symbol { return nil }
            index += 1
        }
        return nil
    }
}
