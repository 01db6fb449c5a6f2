#if canImport(Glibc)
import Glibc
#endif

/// How the process asks glibc's allocator to behave, set once at start by each executable
/// (`unsaid`, `unsaid-bench`), so every user gets it without an environment variable.
///
/// glibc serves blocks of 128 KB and more with their own mappings, returned to the system when
/// freed, but each time such a block is freed it raises that threshold to the block's size (up
/// to 32 MB). Loading a large suite frees blocks of several MB (the file's text, index arrays
/// as they grow), after which blocks of that size came from the heap arenas, where a freed block
/// below one still in use stays resident. Fixing the threshold at its default keeps large
/// blocks in their own mappings: `unsaid run` of a 100,000-probe suite held 6 MB less while
/// sending (32.3 → 26.3 MB of anonymous memory, same build, `MALLOC_MMAP_THRESHOLD_` as the
/// switch). Setting it also fixes the trim threshold at its default (128 KB), as glibc documents.
///
/// That trim threshold is then raised to 2 MB. At 128 KB, nearly every probe's blocks (its
/// reads, the record, the events) freed the top of a thread's heap past it, glibc handed the
/// pages back (`madvise`) and the next probe faulted them in again, zeroed: a 2,000-probe
/// streamed run took 10,000 to 25,000 page faults and spent ~3% of its CPU time in them and in
/// `madvise` (5,600 to 6,000 faults at 2 MB; peak RSS about 1 MB higher: 48.6-50.0 → 49.5-51.3
/// MB, and for a 100,000-probe run 66.4 → 66.8 MB). A heap keeps at most that much free at its
/// top; large blocks still have mappings of their own, returned when freed.
package enum AllocatorSettings {
    /// glibc's own default threshold (`DEFAULT_MMAP_THRESHOLD_MIN`).
    static let mmapThreshold: Int32 = 128 * 1024
    /// `M_MMAP_THRESHOLD` in glibc's `<malloc.h>`, which Swift's Glibc module does not import.
    private static let mmapThresholdParameter: Int32 = -3
    /// Free memory a heap may keep at its top before glibc returns it to the system.
    static let trimThreshold: Int32 = 2 * 1024 * 1024
    /// `M_TRIM_THRESHOLD` in `<malloc.h>`.
    private static let trimThresholdParameter: Int32 = -1

    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32

    /// Looked up at run time (Swift's Glibc module does not declare `mallopt`): a C library
    /// without it (not glibc) is left as it is.
    package static func apply() {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(mmapThresholdParameter, mmapThreshold)
        _ = mallopt(trimThresholdParameter, trimThreshold)
        #endif
    }

    private typealias MallocTrim = @convention(c) (Int) -> Int32

    /// Hands the heap's free pages back to the system (`malloc_trim(0)`). A process that runs
    /// phases one after another (`unsaid-bench`) calls it between them: without it, memory a
    /// phase freed stays resident and counts in the next phase's peak (the 100,000-probe `run`
    /// read 88.8 MB after the 1,000-probe phases, 61.2 MB on its own). Looked up at run time,
    /// like `mallopt`.
    package static func releaseFreeMemory() {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}
