#include <sqlite3.h>

/// `sqlite3_db_config` for the options that take an int and an `int *` (https://sqlite.org/c3ref/db_config.html):
/// the C function is variadic, which Swift cannot call.
static inline int drover_sqlite3_db_config_int(sqlite3 *db, int op, int value, int *current) {
    return sqlite3_db_config(db, op, value, current);
}
