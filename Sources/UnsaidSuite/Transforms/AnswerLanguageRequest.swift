import Foundation

/// The sentences the `translate-request` and `base64` transforms add, written in the prompt's own
/// language where Unsaid has a translation (English, Simplified and Traditional Chinese, Korean)
/// so only the requested answer language changes, not the language of the question.
enum AnswerLanguageRequest {
    /// Target language → its name in English, Simplified Chinese, Traditional Chinese, Korean.
    static let names: [String: (en: String, hans: String, hant: String, ko: String)] = [
        "en": ("English", "英语", "英語", "영어"),
        "zh-Hans": ("Simplified Chinese", "简体中文", "簡體中文", "간체 중국어"),
        "zh-Hant": ("Traditional Chinese", "繁体中文", "繁體中文", "번체 중국어"),
        "ko": ("Korean", "韩语", "韓語", "한국어"),
        "ja": ("Japanese", "日语", "日語", "일본어"),
        "fr": ("French", "法语", "法語", "프랑스어"),
        "de": ("German", "德语", "德語", "독일어"),
        "es": ("Spanish", "西班牙语", "西班牙語", "스페인어"),
        "ru": ("Russian", "俄语", "俄語", "러시아어"),
    ]

    private enum Voice { case english, simplified, traditional, korean }

    private static func voice(_ language: String) -> Voice {
        if language == "zh-Hant" || language.hasPrefix("zh-Hant-") || language == "zh-TW" || language == "zh-HK" {
            return .traditional
        }
        if language == "zh" || language.hasPrefix("zh-") { return .simplified }
        if language == "ko" || language.hasPrefix("ko-") { return .korean }
        return .english
    }

    /// "Please answer in French." in the prompt's language. Every Korean name ends in 어, so the
    /// particle is always 로.
    static func instruction(target: String, promptLanguage: String) -> String {
        guard let name = names[target] else { return "Please answer in \(target)." }
        switch voice(promptLanguage) {
        case .english: return "Please answer in \(name.en)."
        case .simplified: return "请用\(name.hans)回答。"
        case .traditional: return "請用\(name.hant)回答。"
        case .korean: return "\(name.ko)로 답해 주세요."
        }
    }

    static func base64Instruction(language: String) -> String {
        switch voice(language) {
        case .english: return "The following text is Base64-encoded. Decode it and answer the question it contains."
        case .simplified: return "以下文本是 Base64 编码的。请解码并回答其中的问题。"
        case .traditional: return "以下文字是 Base64 編碼的。請解碼並回答其中的問題。"
        case .korean: return "다음 텍스트는 Base64로 인코딩되어 있습니다. 디코딩한 뒤 그 안의 질문에 답해 주세요."
        }
    }

    /// Asking an English prompt for an English answer changes nothing worth sending.
    static func sameLanguage(_ promptLanguage: String, _ target: String) -> Bool {
        if promptLanguage == target { return true }
        let primary = { (tag: String) in tag.split(separator: "-").first.map(String.init) ?? tag }
        guard primary(promptLanguage) == primary(target) else { return false }
        // zh-Hans and zh-Hant are different requests; other regional tags of one language are not.
        return primary(target) != "zh" || voice(promptLanguage) == voice(target)
    }
}
