import UnsaidSuite

/// Work items built the way a run builds them (through `RunPlan`), for the chat client tests.
enum TestItems {
    static func item(
        prompt: String = "Say hello in five words.", streamed: Bool,
        parameters: GenerationParameters = GenerationParameters(temperature: 0, maxTokens: 24, seed: 1)
    )
        throws -> WorkItem
    {
        let probe = Probe(
            id: "hello", messages: [ChatMessage(role: "user", content: prompt)],
            stream: streamed ? .on : .off, parameters: parameters)
        let suite = Suite(id: "test", name: "Test", probes: [probe])
        // A one-probe, one-sample, one-mode suite expands to exactly one item.
        return try RunPlan.items(for: suite)[0]
    }
}
