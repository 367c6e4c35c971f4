// Package state keeps the sandbox world in memory, serialises access to it,
// and, when given a file, saves it atomically after every change.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/winami/winami/sandbox/world"
)

// Store guards the world. Reads share a lock; each change holds it alone and,
// with a file, is on disk before Update returns.
type Store struct {
	mu   sync.RWMutex
	w    *world.World
	path string
	// lock is the held lock file of a file-backed store, nil after Close.
	lock *os.File
}

// Open returns a store over the world in path, or over seed() when path is
// empty or does not exist yet (the seeded world is then saved to path).
// A state file is its sandbox's alone: Open locks it (BusyError when
// another sandbox holds it) until Close, removes the temporary files a
// killed sandbox left beside it, and refuses a file that is not a sandbox
// world. A symbolic link is followed: its target is read and written.
func Open(path string, seed func() *world.World) (*Store, error) {
	s := &Store{}
	if path == "" {
		s.w = seed()
		if err := checkShape(s.w); err != nil {
			return nil, fmt.Errorf("seeding the sandbox: %w", err)
		}
		return s, nil
	}
	target, err := resolve(path)
	if err != nil {
		return nil, err
	}
	s.path = target
	lock, err := lockFile(lockPath(target))
	if err != nil {
		var busy *BusyError
		if errors.As(err, &busy) {
			busy.Path = path
		}
		return nil, err
	}
	s.lock = lock
	if err := s.load(path, seed); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// load reads the locked state file, or seeds and saves a world when there is none.
func (s *Store) load(shown string, seed func() *world.World) error {
	if canLock {
		cleanTemps(s.path)
	}
	if _, err := os.Lstat(s.path); errors.Is(err, fs.ErrNotExist) {
		s.w = seed()
		if err := checkShape(s.w); err != nil {
			return fmt.Errorf("seeding the sandbox: %w", err)
		}
		return s.save()
	}
	data, err := readState(s.path)
	if err != nil {
		return err
	}
	var w world.World
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("reading sandbox state %s: %w (remove the file to start from a fresh seeded world)", shown, err)
	}
	if err := checkShape(&w); err != nil {
		return fmt.Errorf("sandbox state %s does not hold a sandbox world: %w (remove the file to start from a fresh seeded world)", shown, err)
	}
	s.w = &w
	return nil
}

// Close releases the state file for another sandbox. The store stays
// readable; Close is safe to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lock == nil {
		return nil
	}
	err := unlockFile(s.lock)
	s.lock = nil
	return err
}

// View runs fn with the world for reading. fn must not change it or keep it.
func (s *Store) View(fn func(w *world.World) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(s.w)
}

// SetExtra attaches what is seeded beside the world and never saved (see
// world.Extra). It takes no snapshot: the extra part is not the state's.
func (s *Store) SetExtra(e *world.Extra) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.Extra = e
}

// Update runs fn with the world for changing. When fn fails, or the change
// cannot be saved, the world is restored to what it was before, so a failed
// request leaves nothing half-made.
func (s *Store) Update(fn func(w *world.World) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	before, err := json.Marshal(s.w)
	if err != nil {
		return fmt.Errorf("snapshotting sandbox state: %w", err)
	}
	if err := fn(s.w); err != nil {
		s.restore(before)
		return err
	}
	if err := s.save(); err != nil {
		s.restore(before)
		return err
	}
	return nil
}

func (s *Store) restore(snapshot []byte) {
	var w world.World
	if err := json.Unmarshal(snapshot, &w); err == nil {
		w.Extra = s.w.Extra // never in a snapshot, never changed by requests
		s.w = &w
	}
}

// Snapshot returns the world as JSON.
func (s *Store) Snapshot() ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return json.MarshalIndent(s.w, "", " ")
}

// save writes the world to a temporary file in the same directory and renames
// it over the state file: a crash leaves the old file or the new, never a torn one.
func (s *Store) save() error {
	if s.path == "" {
		return nil
	}
	if canLock && s.lock == nil {
		// After Close another sandbox may own the file.
		return errors.New("saving sandbox state: the sandbox has stopped")
	}
	data, err := json.Marshal(s.w)
	if err != nil {
		return fmt.Errorf("encoding sandbox state: %w", err)
	}
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, tempPattern(s.path))
	if err != nil {
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	return nil
}
