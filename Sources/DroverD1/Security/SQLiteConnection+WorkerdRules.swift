import DroverSQLite

extension SQLiteConnection {
    /// Sets up the connection as workerd, the runtime D1 and Durable Objects run on, sets up every
    /// database (`setupSecurity` in `src/workerd/util/sqlite.c++`, after https://sqlite.org/security.html):
    /// defensive mode, no FTS3 tokenizer pointers and no extension loading, SQLite's run-time limits
    /// (https://sqlite.org/c3ref/limit.html) at D1's values, extended result codes, a busy timeout,
    /// and ``D1Authorizer``'s rules for the scope `scope` answers at each request.
    package func applyWorkerdRules(
        busyTimeoutMilliseconds: Int32,
        scope: @escaping () -> D1Authorizer.Scope
    ) throws(SQLiteError) {
        typealias Limits = D1Connection.Limits
        setExtendedResultCodes(true)
        // https://sqlite.org/security.html, item 1: no SQL that could corrupt the file.
        try configure(.defensive, on: true)
        // fts3_tokenizer('name', pointer) hands SQLite a C pointer from SQL (a known code-execution
        // path); the authorizer refuses the function too.
        try configure(.fts3Tokenizer, on: false)
        // Off by default; no extension is loaded, whatever `load_extension()` asks.
        try configure(.loadExtension, on: false)
        // A busy database is retried for this long before SQLITE_BUSY (https://sqlite.org/c3ref/busy_timeout.html).
        setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        limit(.length, Limits.valueBytes)
        limit(.sqlLength, Limits.statementBytes)
        limit(.columns, Limits.columns)
        limit(.expressionDepth, Limits.expressionDepth)
        limit(.compoundSelect, Limits.compoundSelectTerms)
        limit(.vdbeOperations, Limits.programInstructions)
        limit(.functionArguments, Limits.functionArguments)
        limit(.attached, Limits.attachedDatabases)
        limit(.likePatternLength, Limits.likePatternBytes)
        limit(.variableNumber, Limits.boundParameters)
        limit(.triggerDepth, Limits.triggerDepth)
        limit(.workerThreads, Limits.workerThreads)
        setAuthorizer { request in D1Authorizer.decide(request, scope: scope()) }
    }
}
