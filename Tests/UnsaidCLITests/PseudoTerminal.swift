import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal for a child that asks a person (`unsaid review` on a terminal): the child
/// reads `terminal`, which `isatty` calls a terminal, and the lines the test types into the
/// other side, as a person's answers, one line at a time.
///
/// Glibc's module does not declare `posix_openpt` and its companions (they sit behind feature
/// macros), so they are looked up by name in the process.
final class PseudoTerminal {
    let terminal: FileHandle
    private let controller: Int32

    private typealias Opening = @convention(c) (Int32) -> Int32
    private typealias Naming = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        func function<T>(_ name: String, as type: T.Type) throws -> T {
            // RTLD_DEFAULT is the null handle in glibc: every object the process has loaded.
            guard let symbol = dlsym(nil, name) else { throw Unavailable(description: "no \(name) in libc") }
            return unsafeBitCast(symbol, to: type)
        }
        let open = try function("posix_openpt", as: Opening.self)
        let grant = try function("grantpt", as: Opening.self)
        let unlock = try function("unlockpt", as: Opening.self)
        let name = try function("ptsname", as: Naming.self)
        controller = open(O_RDWR | O_NOCTTY)
        guard controller >= 0 else { throw Unavailable(description: "posix_openpt: errno \(errno)") }
        guard grant(controller) == 0, unlock(controller) == 0, let path = name(controller) else {
            close(controller)
            throw Unavailable(description: "cannot unlock the terminal: errno \(errno)")
        }
        let side = Glibc.open(path, O_RDWR | O_NOCTTY)
        guard side >= 0 else {
            close(controller)
            throw Unavailable(description: "cannot open \(String(cString: path)): errno \(errno)")
        }
        terminal = FileHandle(fileDescriptor: side, closeOnDealloc: true)
    }

    /// Types `lines`, each followed by Enter. The terminal holds them until the child reads.
    func type(_ lines: [String]) {
        let text = Array(lines.map { $0 + "\n" }.joined().utf8)
        var written = 0
        while written < text.count {
            let count = text[written...].withUnsafeBytes { write(controller, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            written += count
        }
    }

    deinit {
        close(controller)
    }
}
