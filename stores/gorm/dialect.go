package gormstore

import (
	"fmt"
	"strconv"
	"strings"

	sessions "github.com/sessionkit/sessionkit/core"
)

// dialect is the SQL family of the GORM dialector in use.
type dialect uint8

const (
	dialectSQLite dialect = iota + 1
	dialectPostgres
	dialectMySQL
)

// dialectOf maps a gorm.Dialector's Name to a dialect. Every GORM SQLite
// driver (gorm.io/driver/sqlite, github.com/glebarez/sqlite) calls itself
// "sqlite"; MariaDB goes through the "mysql" dialector.
func dialectOf(name string) (dialect, error) {
	switch name {
	case "sqlite":
		return dialectSQLite, nil
	case "postgres":
		return dialectPostgres, nil
	case "mysql":
		return dialectMySQL, nil
	}
	return 0, fmt.Errorf("%w: gormstore: unsupported GORM dialect %q (want sqlite, postgres or mysql)", sessions.ErrInvalidConfig, name)
}

func (d dialect) String() string {
	switch d {
	case dialectSQLite:
		return "sqlite"
	case dialectPostgres:
		return "postgres"
	case dialectMySQL:
		return "mysql"
	}
	return "unknown"
}

// quote quotes an identifier that validTable already vetted (so it holds no
// quote characters), part by part for "schema.table". Double quotes on
// SQLite as in Django's DDL, so sqlite_master keeps the same text.
func (d dialect) quote(ident string) string {
	q := `"`
	if d == dialectMySQL {
		q = "`"
	}
	return q + strings.ReplaceAll(ident, ".", q+"."+q) + q
}

// rebind turns the ? placeholders of a statement into PostgreSQL's $n.
// The statements here contain no other question marks.
func (d dialect) rebind(query string) string {
	if d != dialectPostgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// queries are the statements a Store runs, built once by New.
type queries struct {
	load         string // data, expiry of a live row: key, now
	loadBounded  string // data unless over maxSize, expiry: key
	exists       string // 1 if live: key, now
	insert       string // key, data, expiry
	takeOver     string // replace an expired row: data, expiry, key, now
	update       string // data, expiry, key, now
	updateIfSame string // data, expiry, key, loaded, now
	// updateIfSameBefore is updateIfSame without its last placeholder,
	// for updateIfSameAt (SQLite only; empty elsewhere).
	updateIfSameBefore string
	touch              string // expiry, key, now
	delete             string // key
	deleteExpired      string // one batch: now
}

func buildQueries(d dialect, table string, batch, maxSize int) queries {
	t := d.quote(table)
	// MySQL compares text under the column's collation, often case- and
	// trailing-space-insensitive; the conditional update must compare bytes.
	same := "session_data = ?"
	if d == dialectMySQL {
		same = "session_data = CAST(? AS BINARY)"
	}
	// MySQL refuses LIMIT in an IN subquery but has DELETE ... LIMIT.
	deleteExpired := "DELETE FROM " + t + " WHERE session_key IN (SELECT session_key FROM " + t +
		" WHERE expire_date < ? LIMIT " + strconv.Itoa(batch) + ")"
	if d == dialectMySQL {
		deleteExpired = "DELETE FROM " + t + " WHERE expire_date < ? ORDER BY expire_date LIMIT " + strconv.Itoa(batch)
	}
	q := queries{
		// By key only: the expiry is compared in Go, which keeps the
		// statement as cheap as the primary-key lookup it is.
		load:          "SELECT session_data, expire_date FROM " + t + " WHERE session_key = ?",
		loadBounded:   boundedLoad(d, t, maxSize),
		exists:        "SELECT 1 FROM " + t + " WHERE session_key = ? AND expire_date > ?",
		insert:        "INSERT INTO " + t + " (session_key, session_data, expire_date) VALUES (?, ?, ?)",
		takeOver:      "UPDATE " + t + " SET session_data = ?, expire_date = ? WHERE session_key = ? AND expire_date <= ?",
		update:        "UPDATE " + t + " SET session_data = ?, expire_date = ? WHERE session_key = ? AND expire_date > ?",
		updateIfSame:  "UPDATE " + t + " SET session_data = ?, expire_date = ? WHERE session_key = ? AND " + same + " AND expire_date > ?",
		touch:         "UPDATE " + t + " SET expire_date = ? WHERE session_key = ? AND expire_date > ?",
		delete:        "DELETE FROM " + t + " WHERE session_key = ?",
		deleteExpired: deleteExpired,
	}
	if d == dialectSQLite {
		q.updateIfSameBefore = strings.TrimSuffix(q.updateIfSame, "?") + "'"
	}
	for _, p := range []*string{&q.load, &q.loadBounded, &q.exists, &q.insert, &q.takeOver, &q.update, &q.updateIfSame, &q.touch, &q.delete, &q.deleteExpired} {
		*p = d.rebind(*p)
	}
	return q
}

// updateIfSameAt returns updateIfSame with now written into the statement
// as a literal, leaving four arguments: data, expiry, key, loaded. On the
// pure-Go SQLite driver a fifth bound argument made the statement cost
// half as much again (BenchmarkStore/sqlite-file/SaveIfUnchanged, 140 µs
// against 95 with the literal), while the driver parses every statement
// anyway, so a text that changes per call costs nothing. ok is false on
// other dialects, whose servers cache plans by statement text, and for a
// now that is not plain date text.
func (q queries) updateIfSameAt(now string) (stmt string, ok bool) {
	if q.updateIfSameBefore == "" || !isTimeText(now) {
		return "", false
	}
	return q.updateIfSameBefore + now + "'", true
}

// isTimeText reports whether s holds only what Django's datetime text
// does, so that it is safe inside a quoted SQL literal.
func isTimeText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '-', c == ':', c == '.', c == ' ':
		default:
			return false
		}
	}
	return true
}
