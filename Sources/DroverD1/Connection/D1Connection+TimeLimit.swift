import Dispatch
import Drover
import DroverSQLite

/// Where the statement running now stands with its time limit.
enum StatementClock {
    /// No user statement runs (Drover's own SQL, or a prepare): no limit.
    case idle
    /// A statement started; the progress handler's first call sets its deadline.
    case started
    /// The uptime, in nanoseconds, past which the statement is stopped.
    case deadline(UInt64)
}

/// Why the progress handler stopped a statement.
enum Interruption {
    /// It ran past D1's time limit.
    case timeLimit
    /// It ran past the in-place budget on the caller's thread: it moves to the reader's queue.
    case inPlaceBudget
    /// The database is closing.
    case closing
}

/// What a read run on the caller's thread came to.
enum InPlaceOutcome<T> {
    /// It finished (or failed, which was thrown) within the budget.
    case finished(T)
    /// It ran past the in-place budget and was stopped before returning anything; it only reads,
    /// so it can run again elsewhere.
    case overBudget
}

/// D1's time limit on one statement, enforced with SQLite's progress handler
/// (https://sqlite.org/c3ref/progress_handler.html): every ``Limits/progressInterval`` virtual
/// machine instructions the handler reads a monotonic clock and stops the statement once it is past
/// its deadline. The deadline is set at the handler's first call in the statement's run, so a
/// statement too short to reach the handler never reads the clock. `close()` of the database stops
/// a running statement at once through ``interruptForClose()`` (`sqlite3_interrupt` and a flag the
/// handler checks).
extension D1Connection {
    /// Starts the time limit for one run of `statement`, which each statement of a batch, an `exec`
    /// and a multi-statement query gets anew. The caller sets ``clock`` back to `.idle` when the run
    /// ends.
    /// - Throws: ``D1Error/closed`` once ``interruptForClose()`` was called: a batch or a long `exec`
    ///   stops at its next statement.
    @inline(__always)
    func startClock(for statement: SQLiteStatement) throws(D1Error) {
        if closeRequested.load(ordering: .relaxed) { throw D1Error.closed }
        // SQLite counts instructions over every run of a kept statement: from zero each run, a
        // statement shorter than the interval never reaches the handler.
        _ = statement.status(.vmSteps, reset: true)
        clock = .started
    }

    /// The progress handler: whether to stop the statement running now.
    func shouldInterrupt() -> Bool {
        if closeRequested.load(ordering: .relaxed) {
            interruption = .closing
            return true
        }
        switch clock {
        case .idle:
            return false
        case .started:
            clock = .deadline(DispatchTime.now().uptimeNanoseconds &+ (runsInPlace ? inPlaceBudget : timeLimit))
            return false
        case .deadline(let deadline):
            guard DispatchTime.now().uptimeNanoseconds >= deadline else { return false }
            interruption = runsInPlace ? .inPlaceBudget : .timeLimit
            return true
        }
    }

    /// Runs `body`, a read on the calling thread, with the in-place budget instead of the time limit.
    /// - Returns: `.overBudget` when the budget ran out first; the statement was stopped and reset.
    /// - Throws: what `body` throws otherwise.
    func runInPlace<T>(_ body: (D1Connection) throws(D1Error) -> T) throws(D1Error) -> InPlaceOutcome<T> {
        runsInPlace = true
        defer { runsInPlace = false }
        do throws(D1Error) {
            return .finished(try body(self))
        } catch {
            if error == .overInPlaceBudget { return .overBudget }
            throw error
        }
    }

    /// SQLite's `error` as D1 words it, an interruption by what caused it (which it takes, so no
    /// later failure is worded by it): ``D1Error/timeout`` past the time limit, ``D1Error/closed``
    /// when the database is closing.
    func failure(_ error: SQLiteError) -> D1Error {
        guard error.isInterruption else { return D1Error(sqlite: error) }
        let cause = interruption
        interruption = nil
        if closeRequested.load(ordering: .relaxed) { return .closed }
        switch cause {
        case .timeLimit: return .timeout
        case .closing: return .closed
        case .inPlaceBudget: return .overInPlaceBudget
        case nil: return D1Error(sqlite: error)
        }
    }

    /// Stops the statement running now and refuses the next ones with ``D1Error/closed``, so that
    /// closing the database does not wait for a long statement. Safe from any thread, as long as
    /// the connection is not closed yet (`sqlite3_interrupt`, https://sqlite.org/c3ref/interrupt.html).
    func interruptForClose() {
        closeRequested.store(true, ordering: .relaxed)
        sqlite.interrupt()
    }

    /// Whether ``interruptForClose()`` was called.
    var isClosing: Bool { closeRequested.load(ordering: .relaxed) }
}

extension D1Error {
    /// A read stopped past its in-place budget: ``D1Connection/runInPlace(_:)`` turns it into
    /// `.overBudget`, so it never reaches a caller.
    static let overInPlaceBudget = D1Error("D1_ERROR: the read ran past its in-place budget and moves to its reader's queue")
}
