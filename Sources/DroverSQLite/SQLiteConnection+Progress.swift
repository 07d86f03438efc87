import CSQLite

// MARK: - Progress handler (https://sqlite.org/c3ref/progress_handler.html)

extension SQLiteConnection {
    /// Installs `shouldInterrupt`, which SQLite calls about every `instructions` virtual machine
    /// instructions of a running statement, replacing any earlier one. Returning `true` stops the
    /// statement: its step fails with `SQLITE_INTERRUPT` (message `interrupted`). It runs on the
    /// thread stepping, inside `sqlite3_step` (or inside a prepare that reads the schema).
    ///
    /// SQLite counts a kept statement's instructions over all its runs
    /// (`SQLITE_STMTSTATUS_VM_STEP`, https://sqlite.org/c3ref/c_stmtstatus_counter.html) and calls
    /// the handler each time that count passes a multiple of `instructions`; an owner that wants
    /// each run to start afresh resets that counter (``SQLiteStatement/status(_:reset:)``).
    package func setProgressHandler(every instructions: Int32, _ shouldInterrupt: @escaping () -> Bool) {
        let box = ProgressHandlerBox(shouldInterrupt)
        progressHandler = box
        sqlite3_progress_handler(
            handle,
            instructions,
            { context in
                guard let context else { return 0 }
                return Unmanaged<ProgressHandlerBox>.fromOpaque(context).takeUnretainedValue().shouldInterrupt() ? 1 : 0
            },
            Unmanaged.passUnretained(box).toOpaque()
        )
    }

    final class ProgressHandlerBox {
        let shouldInterrupt: () -> Bool
        init(_ shouldInterrupt: @escaping () -> Bool) { self.shouldInterrupt = shouldInterrupt }
    }
}
