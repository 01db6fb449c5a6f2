import UnsaidSupport

// Every archive record holds the probe it answers, and every archive reader (`rescore`, `verify`,
// resume, reports) decodes it per line. Through `Codable`'s keyed containers each of its sixteen
// fields was a search through the object's keys behind several generic boxes and each enum a
// decoder of its own (~50,000 instructions a record); here each field present is looked at once
// (see `IndexedFieldDecodable`), reading exactly what the synthesized `init(from:)` reads: the
// required fields through `decode` (so `null` is an error), the optional ones through
// `decodeIfPresent` (so `null` is absent). `ProbeDecodingTests` compares the two.

extension Probe: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var id: String?
        var messages: [ChatMessage]?
        var language: String?
        var topic: String?
        var tags: [String]?
        var category: ProbeCategory?
        var expect: Expectation?
        var stream: StreamMode?
        var repeatCount: Int?
        var group: String?
        var variant: String?
        var parameters: GenerationParameters?
        var terms: [String]?
        var transform: AppliedTransform?
        var followUps: [FollowUpTurn]?
        var turn: TurnLink?
        while let field = try fields.next() {
            if field.is("category") {
                category = try field.enumIfNotNull(ProbeCategory.self)
            } else if field.is("expect") {
                expect = try field.enumIfNotNull(Expectation.self)
            } else if field.is("followUps") {
                followUps = try field.decodeIfNotNull([FollowUpTurn].self)
            } else if field.is("group") {
                group = try field.stringIfNotNull()
            } else if field.is("id") {
                id = try field.stringIfNotNull()
            } else if field.is("language") {
                language = try field.stringIfNotNull()
            } else if field.is("messages") {
                messages = try field.decodeIfNotNull([ChatMessage].self)
            } else if field.is("parameters") {
                parameters = try field.decodeIfNotNull(GenerationParameters.self)
            } else if field.is("repeatCount") {
                repeatCount = try field.int()
            } else if field.is("stream") {
                stream = try field.enumIfNotNull(StreamMode.self)
            } else if field.is("tags") {
                tags = try field.decodeIfNotNull([String].self)
            } else if field.is("terms") {
                terms = try field.decodeIfNotNull([String].self)
            } else if field.is("topic") {
                topic = try field.stringIfNotNull()
            } else if field.is("transform") {
                transform = try field.decodeIfNotNull(AppliedTransform.self)
            } else if field.is("turn") {
                turn = try field.decodeIfNotNull(TurnLink.self)
            } else if field.is("variant") {
                variant = try field.stringIfNotNull()
            }
        }
        guard let id, let messages, let language, let tags, let category, let expect, let stream, let repeatCount,
            let parameters
        else { throw fields.missing() }
        self.init(
            id: id, messages: messages, language: language, topic: topic, tags: tags, category: category,
            expect: expect, stream: stream, repeatCount: repeatCount, group: group, variant: variant,
            parameters: parameters, terms: terms, transform: transform, followUps: followUps, turn: turn)
    }
}

extension ChatMessage: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var role: String?
        var content: String?
        while let field = try fields.next() {
            if field.is("content") {
                content = try field.stringIfNotNull()
            } else if field.is("role") {
                role = try field.stringIfNotNull()
            }
        }
        guard let role, let content else { throw fields.missing() }
        self.init(role: role, content: content)
    }
}

extension GenerationParameters: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        self.init()
        while let field = try fields.next() {
            if field.is("maxTokens") {
                maxTokens = try field.intIfNotNull()
            } else if field.is("seed") {
                seed = try field.intIfNotNull()
            } else if field.is("temperature") {
                temperature = try field.doubleIfNotNull()
            } else if field.is("topP") {
                topP = try field.doubleIfNotNull()
            }
        }
    }
}

extension AppliedTransform: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var name: String?
        var version: Int?
        var argument: String?
        var source: String?
        while let field = try fields.next() {
            if field.is("argument") {
                argument = try field.stringIfNotNull()
            } else if field.is("name") {
                name = try field.stringIfNotNull()
            } else if field.is("source") {
                source = try field.stringIfNotNull()
            } else if field.is("version") {
                version = try field.int()
            }
        }
        guard let name, let version, let source else { throw fields.missing() }
        self.init(name: name, version: version, argument: argument, source: source)
    }
}

extension FollowUpTurn: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var text: String?
        var on: [String]?
        var answer: PriorAnswer?
        while let field = try fields.next() {
            if field.is("answer") {
                answer = try field.enumIfNotNull(PriorAnswer.self)
            } else if field.is("on") {
                on = try field.decodeIfNotNull([String].self)
            } else if field.is("text") {
                text = try field.stringIfNotNull()
            }
        }
        guard let text, let on, let answer else { throw fields.missing() }
        self.init(text: text, on: on, answer: answer)
    }
}

extension TurnLink: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var turn: Int?
        var root: String?
        var parent: String?
        var parentHash: String?
        while let field = try fields.next() {
            if field.is("parent") {
                parent = try field.stringIfNotNull()
            } else if field.is("parentHash") {
                parentHash = try field.stringIfNotNull()
            } else if field.is("root") {
                root = try field.stringIfNotNull()
            } else if field.is("turn") {
                turn = try field.int()
            }
        }
        guard let turn, let root, let parent, let parentHash else { throw fields.missing() }
        self.init(turn: turn, root: root, parent: parent, parentHash: parentHash)
    }
}
