package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/peaceops/peaceops"
)

// Backup writes a consistent copy of a SQLite database to the new file out
// while the database stays in use: writers are not blocked, and the copy
// holds exactly the transactions committed when it started. The copy is one
// self-contained file (no -wal or -shm beside it), readable only by its
// owner, that store.Open opens like any other database.
//
// Backup never overwrites: if out exists it returns ECONFLICT. The copy is
// written to a temporary file in out's folder and moved into place only
// once complete, so out is either absent or a whole backup. On PostgreSQL it
// returns EINVALID: back up with pg_dump as docs/OPERATIONS.md shows.
func (db *DB) Backup(ctx context.Context, out string) error {
	if db.dialect != SQLite {
		return peaceops.Errorf(peaceops.EINVALID,
			"backup of a PostgreSQL database is made with pg_dump (see docs/OPERATIONS.md), not by peaceops")
	}
	if out == "" {
		return peaceops.Errorf(peaceops.EINVALID, "no backup file given")
	}
	if _, err := os.Lstat(out); err == nil {
		return peaceops.Errorf(peaceops.ECONFLICT, "backup file %s already exists: choose a new name or remove it first", out)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: backup: %w", err)
	}

	dir := filepath.Dir(out)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(out)+".*.tmp")
	if errors.Is(err, fs.ErrNotExist) {
		return peaceops.Errorf(peaceops.EINVALID, "backup folder %s does not exist", dir)
	} else if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	name := tmp.Name()
	defer os.Remove(name) // gone already once renamed; the spare link once linked
	// VACUUM INTO accepts an existing empty file; creating it ourselves
	// gives it owner-only permissions from the start.
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := db.vacuumInto(ctx, name); err != nil {
		return fmt.Errorf("store: backup to %s: %w", out, err)
	}
	if err := syncFile(name); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := place(name, out); err != nil {
		return err
	}
	// Make the new name durable too. Best effort: not every system can
	// sync a folder, and the copy itself is already on disk.
	_ = syncFile(dir)
	return nil
}

// vacuumInto copies the database into the empty file name. It uses a
// connection of its own: the writer would hold up the server's writes for
// the whole copy, and the readers are query_only, which SQLite applies to
// VACUUM INTO as well. In WAL mode this connection reads one snapshot
// without taking the write lock, so the server keeps writing meanwhile.
func (db *DB) vacuumInto(ctx context.Context, name string) error {
	c, err := sql.Open("sqlite", "file:"+(&url.URL{Path: db.Path()}).EscapedPath()+"?"+sqlitePragmas)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.ExecContext(ctx, `VACUUM INTO $1`, name)
	return err
}

// place gives the finished backup tmp the name out without replacing a file
// that appeared at out meanwhile: a hard link fails if out exists, where a
// rename would silently replace it. The caller removes tmp.
func place(tmp, out string) error {
	err := os.Link(tmp, out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return peaceops.Errorf(peaceops.ECONFLICT, "backup file %s already exists: choose a new name or remove it first", out)
	}
	// Some file systems have no hard links: check again and rename.
	if _, err := os.Lstat(out); err == nil {
		return peaceops.Errorf(peaceops.ECONFLICT, "backup file %s already exists: choose a new name or remove it first", out)
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
