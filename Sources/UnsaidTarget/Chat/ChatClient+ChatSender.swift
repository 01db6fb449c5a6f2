import UnsaidCore

/// The libcurl client is what the run engine sends through in production.
extension ChatClient: ChatSender {}
